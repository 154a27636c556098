#pragma once

#include <QPointer>
#include <QWidget>

namespace adcp::gui {

// Keeps the keyboard focus in a pane whose controls are switched off while a call runs. Qt hands the focus of
// a widget that is disabled to the next one in the tab chain, which for the detail panes is the exchange
// log's filter: the planner's next keystrokes filtered the log away. enter() (before the controls go off)
// parks the focus on the pane itself; leave() (after they come back) returns it to the control that had it,
// if that is usable again and nothing else took the focus meanwhile.
class FocusHold final
{
public:
    void enter(QWidget *pane);
    void leave(QWidget *pane);

private:
    QPointer<QWidget> m_before;
};

} // namespace adcp::gui

#include "focushold.h"

namespace adcp::gui {

void FocusHold::enter(QWidget *pane)
{
    // The window's focus widget, which it keeps while another window is active too.
    QWidget *focus = pane->window()->focusWidget();
    if (!focus || !pane->isAncestorOf(focus))
        return;
    m_before = focus;
    pane->setFocus(Qt::OtherFocusReason);
}

void FocusHold::leave(QWidget *pane)
{
    if (m_before && pane->window()->focusWidget() == pane && m_before->isEnabled() && m_before->isVisible())
        m_before->setFocus(Qt::OtherFocusReason);
    m_before.clear();
}

} // namespace adcp::gui

#pragma once

class QApplication;
class QColor;
class QString;

namespace adcp::gui {

// One place for the workbench's look: Fusion with a light, neutral palette and a few accents.
void applyTheme(QApplication &app);

// Colours of status chips and badges, shared by delegates and detail views.
QColor statusColor(const QString &status);

} // namespace adcp::gui

#include "modes.h"

#include "mainwindow.h"
#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>

int runGuiMode(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("adcp-workbench"));
    QApplication::setApplicationName(QStringLiteral("AdCP Buyer Workbench"));
    adcp::gui::applyTheme(app);

    // The embedded seller keeps its database with the user's application data, so it survives restarts.
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dataDir);

    adcp::gui::MainWindow window;
    window.show();
    return QApplication::exec();
}

#include "briefcomposer.h"
#include "mainwindow.h"
#include "workbench.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>

using adcp::gui::MainWindow;
using adcp::gui::Workbench;

class TestMainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void embeddedSellerIsPreselected();
    void lifecycleTabsInOrder();
    void firstRunTeachesWhatToDo();
    void connectionLineShowsDialectAndPrincipal();
    void briefIsCheckedBeforeSending();
    void layoutSurvivesRestart();
    void lastTabIsRememberedByName();
    void statusMessagesTimeOut();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QSettings().clear();
}

// Results leave the status bar after a while; what is still running stays until it finishes.
void TestMainWindow::statusMessagesTimeOut()
{
    Workbench workbench;
    MainWindow window(&workbench);
    window.setStatusTimeout(50);
    Q_EMIT workbench.busyChanged(true, QStringLiteral("Send brief"));
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Send brief…"));
    QTest::qWait(200);
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Send brief…"));
    Q_EMIT workbench.actionSucceeded(QStringLiteral("Send brief"), QStringLiteral("opp-1"),
                                     QStringLiteral("3 proposals"));
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Send brief: 3 proposals"));
    QTRY_COMPARE_WITH_TIMEOUT(window.statusMessage()->text(), QStringLiteral("Ready"), 60000);
    Q_EMIT workbench.actionFailed(QStringLiteral("Finalize"), QStringLiteral("p-1"),
                                  adcp::AdcpError::make("CONFLICT", "stale version"));
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Finalize failed: CONFLICT"));
    QTRY_COMPARE_WITH_TIMEOUT(window.statusMessage()->text(), QStringLiteral("Ready"), 60000);
    // A call that ends without a message of its own (Refresh buys) does not leave "Refresh buys…" behind.
    window.setStatusTimeout(0);
    Q_EMIT workbench.busyChanged(true, QStringLiteral("Refresh buys"));
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Refresh buys…"));
    Q_EMIT workbench.busyChanged(false, QString());
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Ready"));
    // One that did say something keeps it.
    Q_EMIT workbench.busyChanged(true, QStringLiteral("Send brief"));
    Q_EMIT workbench.actionSucceeded(QStringLiteral("Send brief"), QStringLiteral("opp-2"),
                                     QStringLiteral("2 proposals"));
    Q_EMIT workbench.busyChanged(false, QString());
    QCOMPARE(window.statusMessage()->text(), QStringLiteral("Send brief: 2 proposals"));
}

void TestMainWindow::embeddedSellerIsPreselected()
{
    Workbench workbench;
    MainWindow window(&workbench);
    QCOMPARE(window.agentSelector()->currentText(), QStringLiteral("Embedded seller"));
    QCOMPARE(window.agentSelector()->currentData().toString(), QStringLiteral("embedded"));
}

void TestMainWindow::lifecycleTabsInOrder()
{
    Workbench workbench;
    MainWindow window(&workbench);
    const QStringList expected{QStringLiteral("Brief"),    QStringLiteral("Products"),
                               QStringLiteral("Catalog"),  QStringLiteral("Proposals"),
                               QStringLiteral("Buys"),     QStringLiteral("Creatives"),
                               QStringLiteral("Audiences")};
    QCOMPARE(window.lifecycleTabs()->count(), expected.size());
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(window.lifecycleTabs()->tabText(i), expected.at(i));
    window.setCurrentTab(MainWindow::Tab::Buys);
    QCOMPARE(window.lifecycleTabs()->currentIndex(), 4);
}

void TestMainWindow::firstRunTeachesWhatToDo()
{
    Workbench workbench;
    MainWindow window(&workbench);
    QCOMPARE(window.lifecycleTabs()->currentIndex(), 0);
    bool found = false;
    for (const QLabel *label : window.briefComposer()->findChildren<QLabel *>())
        found = found || label->text() == QStringLiteral("Write a brief to the embedded seller");
    QVERIFY(found);
    QCOMPARE(window.currentDetail(), MainWindow::Detail::Empty);
}

void TestMainWindow::connectionLineShowsDialectAndPrincipal()
{
    Workbench workbench;
    MainWindow window(&workbench);
    QVERIFY(window.connectionLabel()->text().contains(QStringLiteral("not connected")));
    window.setConnectionState(true, QStringLiteral("3"), QStringLiteral("versioned facade"),
                              QStringLiteral("buyer-a"));
    const QString text = window.connectionLabel()->text();
    QVERIFY(text.contains(QStringLiteral("connected · AdCP 3 · dialect: versioned facade · buyer-a")));
    QVERIFY(!text.contains(QStringLiteral("not connected")));
}

void TestMainWindow::briefIsCheckedBeforeSending()
{
    Workbench workbench;
    MainWindow window(&workbench);
    adcp::gui::BriefComposer *brief = window.briefComposer();
    QVERIFY(!brief->sendButton()->isEnabled());
    QVERIFY(brief->problems().contains(QStringLiteral("Describe the campaign in the brief.")));
    brief->setBrief(QStringLiteral("Cold brew launch, CTV and online video"));
    brief->setFlight(QDate::currentDate().addDays(10), QDate::currentDate().addDays(5));
    QVERIFY(brief->problems().contains(QStringLiteral("The flight ends before it starts.")));
    QVERIFY(!brief->sendButton()->isEnabled());
    brief->setFlight(QDate::currentDate().addDays(5), QDate::currentDate().addDays(35));
    brief->setChannels({QStringLiteral("ctv"), QStringLiteral("olv")});
    brief->setBudget(75000, QStringLiteral("EUR"));
    QVERIFY(brief->problems().isEmpty());
    QVERIFY(brief->sendButton()->isEnabled());
    const nlohmann::json request = brief->request();
    QVERIFY(request["buying_mode"] == "brief");
    QVERIFY(request["filters"]["channels"] == nlohmann::json::array({"olv", "ctv"}));
    QVERIFY(request["filters"]["budget_range"]["currency"] == "EUR");
    QVERIFY(request["opportunity"]["phase"] == "active_sourcing");
    QVERIFY(request["opportunity"]["opportunity_id"].get<std::string>().rfind("opp-", 0) == 0);
    // Opaque ids: the brief's words never leak into the opportunity id.
    QVERIFY(request["opportunity"]["opportunity_id"].get<std::string>().find("brew") == std::string::npos);
}

void TestMainWindow::layoutSurvivesRestart()
{
    {
        Workbench workbench;
        MainWindow window(&workbench);
        window.restoreLayout();
        window.resize(1300, 860);
        window.setCurrentTab(MainWindow::Tab::Proposals);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.close();
    }
    Workbench workbench;
    MainWindow again(&workbench);
    again.restoreLayout();
    QCOMPARE(again.size(), QSize(1300, 860));
    QCOMPARE(again.lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Proposals));
}

// The tab shown last comes back by its name, whatever tabs were added since. A window from before the Catalog
// tab saved the tab's index in the order the tabs had then: that is read once, as the tab it meant.
void TestMainWindow::lastTabIsRememberedByName()
{
    {
        Workbench workbench;
        MainWindow window(&workbench);
        window.restoreLayout();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTabBar *bar = window.lifecycleTabs()->tabBar();
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(int(MainWindow::Tab::Catalog)).center());
        QCOMPARE(window.lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Catalog));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier); // File > Quit closes the window
        QVERIFY(!window.isVisible());
    }
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    QCOMPARE(settings.value(QStringLiteral("currentTab")).toString(), QStringLiteral("catalog"));
    QVERIFY(!settings.contains(QStringLiteral("tab")));
    {
        Workbench workbench;
        MainWindow again(&workbench);
        again.restoreLayout();
        QCOMPARE(again.lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Catalog));
    }
    // Brief, Products, Proposals, Buys, Creatives, Audiences: the order before the Catalog tab.
    const QList<QPair<int, MainWindow::Tab>> older = {{1, MainWindow::Tab::Products},
                                                      {2, MainWindow::Tab::Proposals},
                                                      {3, MainWindow::Tab::Buys},
                                                      {5, MainWindow::Tab::Audiences}};
    for (const auto &[index, tab] : older) {
        settings.remove(QStringLiteral("currentTab"));
        settings.setValue(QStringLiteral("tab"), index);
        Workbench workbench;
        MainWindow old(&workbench);
        old.restoreLayout();
        QCOMPARE(old.lifecycleTabs()->currentIndex(), int(tab));
        QVERIFY(!settings.contains(QStringLiteral("tab")));
    }
    // An index out of range or a name not known leaves the first tab.
    settings.setValue(QStringLiteral("tab"), 42);
    settings.setValue(QStringLiteral("currentTab"), QStringLiteral("no-such-tab"));
    Workbench workbench;
    MainWindow window(&workbench);
    window.restoreLayout();
    QCOMPARE(window.lifecycleTabs()->currentIndex(), int(MainWindow::Tab::Brief));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

#include "mainwindow.h"

#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using adcp::gui::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void embeddedSellerIsPreselected();
    void lifecycleTabsInOrder();
    void firstRunTeachesWhatToDo();
    void connectionLineShowsDialectAndPrincipal();
    void layoutSurvivesRestart();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QSettings().clear();
}

void TestMainWindow::embeddedSellerIsPreselected()
{
    MainWindow window;
    QCOMPARE(window.agentSelector()->currentText(), QStringLiteral("Embedded seller"));
    QCOMPARE(window.agentSelector()->currentData().toString(), QStringLiteral("embedded"));
}

void TestMainWindow::lifecycleTabsInOrder()
{
    MainWindow window;
    const QStringList expected{QStringLiteral("Brief"), QStringLiteral("Products"),
                               QStringLiteral("Proposals"), QStringLiteral("Buys")};
    QCOMPARE(window.lifecycleTabs()->count(), expected.size());
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(window.lifecycleTabs()->tabText(i), expected.at(i));
    window.setCurrentTab(MainWindow::Tab::Buys);
    QCOMPARE(window.lifecycleTabs()->currentIndex(), 3);
}

void TestMainWindow::firstRunTeachesWhatToDo()
{
    MainWindow window;
    bool found = false;
    for (const QLabel *label : window.findChildren<QLabel *>())
        found = found || label->text() == QStringLiteral("Write a brief to the embedded seller");
    QVERIFY(found);
}

void TestMainWindow::connectionLineShowsDialectAndPrincipal()
{
    MainWindow window;
    QVERIFY(window.connectionLabel()->text().contains(QStringLiteral("not connected")));
    window.setConnectionState(true, QStringLiteral("3"), QStringLiteral("versioned facade"),
                              QStringLiteral("buyer-a"));
    const QString text = window.connectionLabel()->text();
    QVERIFY(text.contains(QStringLiteral("connected · AdCP 3 · dialect: versioned facade · buyer-a")));
    QVERIFY(!text.contains(QStringLiteral("not connected")));
}

void TestMainWindow::layoutSurvivesRestart()
{
    {
        MainWindow window;
        window.resize(1000, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.close();
    }
    MainWindow again;
    QCOMPARE(again.size(), QSize(1000, 700));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

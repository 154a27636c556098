#pragma once

#include "catalogpanel.h"
#include "exchangemodel.h"
#include "mainwindow.h"
#include "modelroles.h"
#include "productmodel.h"
#include "theme.h"
#include "workbench.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QWidget>

#include <functional>

// Acting on the window as a person would, shared by the GUI tests: clicks and typing land on visible, enabled
// widgets through QTest mouse and key events, never through slots. The checks inside record a failure in the
// running test function and return.
namespace guidriver {

// Saves what `widget` shows to `path` (PNG), scaled to `scale` of its size; a grab that is one colour
// everywhere means nothing was painted and fails the running test, as does a file that cannot be written.
inline void savePicture(QWidget *widget, const QString &path, double scale = 1.0)
{
    QCoreApplication::processEvents();
    const QImage grabbed = widget->grab().toImage();
    QVERIFY(!grabbed.isNull());
    const QRgb first = grabbed.pixel(grabbed.width() / 2, grabbed.height() / 2);
    bool varied = false;
    for (int y = 0; y < grabbed.height() && !varied; y += 7)
        for (int x = 0; x < grabbed.width() && !varied; x += 7)
            varied = grabbed.pixel(x, y) != first;
    QVERIFY2(varied, qPrintable(path));
    const QImage image = scale == 1.0
                             ? grabbed
                             : grabbed.scaledToWidth(int(grabbed.width() * scale), Qt::SmoothTransformation);
    QVERIFY2(image.save(path), qPrintable(path));
}

inline void click(QWidget *widget)
{
    QVERIFY(widget);
    QVERIFY2(widget->isVisible(), qPrintable(widget->objectName()));
    QVERIFY2(widget->isEnabled(), qPrintable(widget->objectName()));
    QTest::mouseClick(widget, Qt::LeftButton);
}

// Clicks into the field, selects what is there and types over it.
inline void typeInto(QWidget *widget, const QString &text)
{
    QVERIFY(widget && widget->isVisible());
    QTest::mouseClick(widget, Qt::LeftButton);
    QTest::keyClick(widget, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(widget, text);
}

// Runs `act` on the next modal dialog once it is shown (the click that opens it blocks in exec()); a dialog
// `act` leaves open is rejected, so that a failed check inside it does not hang the run.
inline void onNextDialog(QObject *owner, std::function<void(QDialog *)> act)
{
    auto *poll = new QTimer(owner);
    poll->setInterval(20);
    QObject::connect(poll, &QTimer::timeout, owner, [poll, act] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible())
            return;
        poll->stop();
        poll->deleteLater();
        act(dialog);
        if (dialog->isVisible())
            dialog->reject();
    });
    poll->start();
}

// Until the workbench has no call in progress (what is still busy is named on failure).
inline void waitIdle(adcp::gui::Workbench *workbench)
{
    QTRY_VERIFY2_WITH_TIMEOUT(!workbench->isBusy(), qPrintable(workbench->busyActions().join(QLatin1Char(','))),
                              30000);
}

// A GUI test's application as the workbench sets itself up: settings of its own (cleared), the theme.
inline void startApplication(const QString &name)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("adcp-workbench-tests"));
    QCoreApplication::setApplicationName(name);
    QSettings().clear();
    adcp::gui::applyTheme(*qApp);
}

// The visible widget of that type and name under `root`, or null. Widgets a view replaced are deleted later;
// a person can no longer see or click them, so neither does this.
template <typename T> T *shown(QWidget *root, const QString &objectName)
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    for (T *widget : root->findChildren<T *>(objectName)) {
        if (widget->isVisible())
            return widget;
    }
    return nullptr;
}

// The visible button under `root` that reads `text`, or null.
inline QAbstractButton *buttonWithText(QWidget *root, const QString &text)
{
    for (QAbstractButton *button : root->findChildren<QAbstractButton *>()) {
        if (button->isVisible() && button->text() == text)
            return button;
    }
    return nullptr;
}

// Scrolls the row into sight and clicks it.
inline void clickIndex(QAbstractItemView *view, const QModelIndex &index)
{
    QVERIFY(view && view->isVisible() && index.isValid());
    view->scrollTo(index);
    const QRect rect = view->visualRect(index);
    QVERIFY(!rect.isEmpty());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
}

// Clicks the lifecycle tab's header; it is then the tab on show.
inline void openTab(adcp::gui::MainWindow *window, adcp::gui::MainWindow::Tab tab)
{
    QTabBar *bar = window->lifecycleTabs()->tabBar();
    QVERIFY(bar->isVisible());
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(int(tab)).center());
    QCOMPARE(window->lifecycleTabs()->currentIndex(), int(tab));
}

// Clicks the dialog's OK; an OK that is off fails with what the dialog says is missing.
inline void clickOk(QDialog *dialog)
{
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    QVERIFY(ok);
    const auto *problems = dialog->findChild<QLabel *>(QStringLiteral("buyProblems"));
    QVERIFY2(ok->isEnabled(), problems ? qPrintable(problems->text()) : "OK is disabled");
    QTest::mouseClick(ok, Qt::LeftButton);
}

// The Create buy dialog as a planner answers it: the insertion order accepted and signed, then OK.
inline void signAndCreate(QDialog *dialog)
{
    if (auto *accept = dialog->findChild<QCheckBox *>(QStringLiteral("buyIoAccept"))) {
        click(accept);
        typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("buyIoSignatory")),
                 QStringLiteral("Dana Planner"));
    }
    clickOk(dialog);
}

// Whether the seller has answered a `tool` call after exchange `after` with a submitted task (it holds the
// order for its approval); the approval can show in the seller's console before the answer reaches the
// window.
inline bool answeredSubmitted(const adcp::models::ExchangeModel *log, const QString &tool, quint64 after = 0)
{
    for (int row = log->rowCount() - 1; row >= 0; --row) {
        const adcp::Exchange *e = log->exchange(row);
        if (e && e->id > after && e->tool == tool && e->response.is_object() &&
            e->response.value("status", std::string()) == "submitted")
            return true;
    }
    return false;
}

// Ticks the catalog row of `productId` with a click on it (another click takes it off the order).
inline void tickCatalogProduct(adcp::gui::CatalogPanel *catalog, const QString &productId)
{
    QTreeView *view = catalog->view();
    QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, adcp::models::ProductModel::NameColumn);
        if (index.data(adcp::models::IdRole).toString() == productId) {
            clickIndex(view, index);
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no catalog row for ") + productId));
}

// The visible budget box of a product on the catalog's order, or null (a rebuilt order's old boxes are
// deleted later).
inline QDoubleSpinBox *catalogBudgetBox(adcp::gui::CatalogPanel *catalog, const QString &productId)
{
    return shown<QDoubleSpinBox>(catalog, QStringLiteral("catalogBudget-") + productId);
}

// Ticks `productId` on the catalog and gives it `budget` (typed into its box); Buy is the caller's click.
inline void orderFromCatalog(adcp::gui::CatalogPanel *catalog, const QString &productId,
                             const QString &budget)
{
    tickCatalogProduct(catalog, productId);
    QTRY_VERIFY_WITH_TIMEOUT(catalogBudgetBox(catalog, productId), 60000);
    typeInto(catalogBudgetBox(catalog, productId), budget);
}

} // namespace guidriver

#pragma once

#include "workbench.h"

#include <QApplication>
#include <QDialog>
#include <QImage>
#include <QTest>
#include <QTimer>
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

} // namespace guidriver

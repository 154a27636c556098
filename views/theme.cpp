#include "theme.h"

#include <QApplication>
#include <QColor>
#include <QPalette>
#include <QStyleFactory>

namespace adcp::gui {

void applyTheme(QApplication &app)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette palette = app.palette();
    palette.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf8, 0xfa));
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd6));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Button, QColor(0xfb, 0xfb, 0xfc));
    app.setPalette(palette);
    app.setStyleSheet(QStringLiteral(
        "QLabel#sectionTitle { color: #6b7280; font-weight: 600; font-size: 8pt; letter-spacing: 1px; }"
        "QLabel#emptyStateTitle { color: #374151; font-size: 14pt; font-weight: 600; }"
        "QLabel#emptyStateHint { color: #6b7280; }"
        "QLabel#detailTitle { font-size: 13pt; font-weight: 600; }"
        "QLabel#countdown { font-family: monospace; font-size: 12pt; color: #b45309; }"
        "QFrame#errorBanner { background: #fdecec; border: 1px solid #f3b4b4; border-radius: 4px; }"
        "QFrame#errorBanner QLabel { color: #7f1d1d; }"
        "QLabel#fallbackWarning { background: #fff4d6; border: 1px solid #f0c36d; padding: 4px; color: "
        "#7a4b00; }"
        "QToolBar#agentBar { spacing: 6px; padding: 4px; border-bottom: 1px solid #d8dce3; }"
        "QTabWidget::pane { border-top: 1px solid #d8dce3; }"
        "QTreeView, QListView, QTableView { border: 1px solid #d8dce3; }"));
}

QColor statusColor(const QString &status)
{
    if (status == QLatin1String("committed") || status == QLatin1String("active") ||
        status == QLatin1String("ok") || status == QLatin1String("completed") ||
        status == QLatin1String("accepted"))
        return QColor(0x2e, 0x9d, 0x57);
    if (status == QLatin1String("draft") || status == QLatin1String("pending_creatives") ||
        status == QLatin1String("pending_start") || status == QLatin1String("submitted") ||
        status == QLatin1String("working") || status == QLatin1String("pending_approval"))
        return QColor(0x2f, 0x6f, 0xd6);
    if (status == QLatin1String("declined") || status == QLatin1String("rejected") ||
        status == QLatin1String("canceled") || status == QLatin1String("impaired") ||
        status == QLatin1String("failed") || status == QLatin1String("expired"))
        return QColor(0xc2, 0x41, 0x0c);
    if (status == QLatin1String("paused") || status == QLatin1String("consuming") ||
        status == QLatin1String("suspended") || status == QLatin1String("payment_required"))
        return QColor(0xb4, 0x53, 0x09);
    if (status == QLatin1String("consumed"))
        return QColor(0x6b, 0x72, 0x80);
    return QColor(0x6b, 0x72, 0x80);
}

} // namespace adcp::gui

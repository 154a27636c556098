#include "buydetailwidget.h"

#include "buyeventmodel.h"
#include "buymodel.h"
#include "deliverychart.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "impairmentmodel.h"
#include "jsonvalues.h"
#include "modelroles.h"
#include "pricingtext.h"
#include "theme.h"
#include "wrapdelegate.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextDocument>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace adcp::gui {

using namespace adcp::models;

namespace {

// A buy paused before it delivers is held: its status stays (waiting for creatives, for its start) while
// every live package is paused.
bool buyDetailIsHeld(const nlohmann::json &buy)
{
    bool any = false;
    for (const auto &package : jsonArrayView(buy, "packages")) {
        if (!package.is_object() || package.value("canceled", false) == true)
            continue;
        if (package.value("paused", false) != true)
            return false;
        any = true;
    }
    return any;
}

// An impairment as a card of wrapped lines, so the reason and the remedy read in full in a ~300 px pane (as
// a six-column table they needed sideways scrolling).
class ImpairmentCardDelegate final : public QStyledItemDelegate
{
public:
    explicit ImpairmentCardDelegate(QListView *view) : QStyledItemDelegate(view), m_view(view) {}

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem background(option);
        initStyleOption(&background, index);
        background.text.clear();
        const QWidget *widget = option.widget;
        (widget ? widget->style() : QApplication::style())
            ->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);
        QTextDocument card;
        layOut(card, index, option.rect.width());
        QAbstractTextDocumentLayout::PaintContext context;
        context.palette = option.palette;
        if (option.state & QStyle::State_Selected)
            context.palette.setColor(QPalette::Text, option.palette.color(QPalette::HighlightedText));
        painter->save();
        painter->translate(option.rect.topLeft() + QPoint(kPadding, kPadding));
        card.documentLayout()->draw(painter, context);
        painter->restore();
        painter->save();
        painter->setPen(option.palette.color(QPalette::Mid));
        painter->drawLine(option.rect.bottomLeft(), option.rect.bottomRight());
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem &, const QModelIndex &index) const override
    {
        const int width = m_view->viewport()->width();
        QTextDocument card;
        layOut(card, index, width);
        return {width, static_cast<int>(std::ceil(card.size().height())) + 2 * kPadding};
    }

private:
    static constexpr int kPadding = 4;

    static void layOut(QTextDocument &card, const QModelIndex &index, int width)
    {
        const auto cell = [&index](int column) {
            return index.sibling(index.row(), column).data().toString().toHtmlEscaped();
        };
        QString html =
            QStringLiteral("<b>%1</b> · %2")
                .arg(cell(ImpairmentModel::ResourceColumn), cell(ImpairmentModel::TransitionColumn));
        html += QStringLiteral("<br>") + cell(ImpairmentModel::ReasonColumn);
        if (!cell(ImpairmentModel::PackagesColumn).isEmpty())
            html += BuyDetailWidget::tr(" · packages %1").arg(cell(ImpairmentModel::PackagesColumn));
        if (!cell(ImpairmentModel::RemediationColumn).isEmpty())
            html +=
                BuyDetailWidget::tr("<br><i>Remedy:</i> %1").arg(cell(ImpairmentModel::RemediationColumn));
        if (!cell(ImpairmentModel::ObservedColumn).isEmpty())
            html += BuyDetailWidget::tr("<br><span style='color:#6b7280'>Seen %1</span>")
                        .arg(cell(ImpairmentModel::ObservedColumn));
        card.setDocumentMargin(0);
        card.setHtml(html);
        card.setTextWidth(std::max(80, width - 2 * kPadding));
    }

    QListView *m_view;
};

} // namespace

BuyDetailWidget::BuyDetailWidget(BuyModel *buys, BuyEventModel *events, QWidget *parent)
    : QWidget(parent), m_buys(buys), m_impairments(new ImpairmentModel(this)),
      m_timeline(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("buyDetail"));
    m_timeline->setSourceModel(events);
    m_timeline->setFilterRole(IdRole);
    m_timeline->setFilterKeyColumn(BuyEventModel::BuyColumn);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // The name on a line of its own (wrapped), the status and health chips under it: beside the docked seller
    // console the pane is about 300 px wide, and one line cut all three.
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("detailTitle"));
    m_title->setWordWrap(true);
    // A buy named after its products may hold "&" ("Home & Table"): it is text, never markup.
    m_title->setTextFormat(Qt::PlainText);
    layout->addWidget(m_title);
    auto *head = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("buyStatus"));
    m_health = new QLabel(this);
    m_health->setObjectName(QStringLiteral("buyHealth"));
    head->addWidget(m_status);
    head->addWidget(m_health);
    head->addStretch(1);
    layout->addLayout(head);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setStyleSheet(QStringLiteral("color: #4b5563;"));
    layout->addWidget(m_summary);

    m_sections = new QTabWidget(this);
    // All four sections in sight in the ~300 px pane: their names shorten there instead of one hiding behind
    // a scroll arrow ("Packages" was cut to "F…" and found only with the arrows).
    m_sections->setUsesScrollButtons(false);
    m_sections->setElideMode(Qt::ElideRight);
    m_sections->setObjectName(QStringLiteral("buySections"));
    m_chart = new DeliveryChart(m_sections);
    m_sections->addTab(m_chart, tr("Delivery"));
    m_impairmentView = new QListView(m_sections);
    m_impairmentView->setObjectName(QStringLiteral("impairmentView"));
    m_impairmentView->setModel(m_impairments);
    m_impairmentView->setItemDelegate(new ImpairmentCardDelegate(m_impairmentView));
    // Cards are laid out again at every width: they wrap instead of scrolling sideways.
    m_impairmentView->setResizeMode(QListView::Adjust);
    m_impairmentView->setUniformItemSizes(false);
    m_impairmentView->setWordWrap(true);
    m_impairmentView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_impairmentView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    auto *impairmentPage = new QWidget(m_sections);
    auto *impairmentLayout = new QVBoxLayout(impairmentPage);
    impairmentLayout->setContentsMargins(0, 0, 0, 0);
    m_noImpairments = new QLabel(tr("No impairments: everything this buy depends on (creatives, audiences, "
                                    "catalog items, conversion sources) is in service."),
                                 impairmentPage);
    m_noImpairments->setObjectName(QStringLiteral("noImpairments"));
    m_noImpairments->setWordWrap(true);
    m_noImpairments->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_noImpairments->setStyleSheet(QStringLiteral("color: #6b7280; padding: 8px;"));
    m_impairmentView->setParent(impairmentPage);
    impairmentLayout->addWidget(m_noImpairments);
    impairmentLayout->addWidget(m_impairmentView, 1);
    m_impairmentView->hide();
    m_sections->addTab(impairmentPage, tr("Impairments"));
    m_timelineView = new QTreeView(m_sections);
    m_timelineView->setObjectName(QStringLiteral("timelineView"));
    m_timelineView->setModel(m_timeline);
    m_timelineView->setRootIsDecorated(false);
    m_timelineView->setColumnHidden(BuyEventModel::BuyColumn, true);
    // The event wraps in the narrow pane; the time and the source keep their text's width.
    m_timelineView->setWordWrap(true);
    m_timelineView->setUniformRowHeights(false);
    m_timelineView->header()->setStretchLastSection(false);
    m_timelineView->header()->setSectionResizeMode(BuyEventModel::TimeColumn, QHeaderView::ResizeToContents);
    m_timelineView->header()->setSectionResizeMode(BuyEventModel::EventColumn, QHeaderView::Stretch);
    m_timelineView->header()->setSectionResizeMode(BuyEventModel::SourceColumn,
                                                   QHeaderView::ResizeToContents);
    m_timelineView->setItemDelegateForColumn(BuyEventModel::EventColumn, new WrapDelegate(m_timelineView));
    // In the narrow pane beside the console "Seen by" took the event's room: it gives way below 420 px (the
    // event's tooltip says it then).
    m_timelineView->installEventFilter(this);
    m_sections->addTab(m_timelineView, tr("Timeline"));
    m_packages = new QTableWidget(m_sections);
    m_packages->setObjectName(QStringLiteral("packageTable"));
    m_packages->setColumnCount(6);
    m_packages->setHorizontalHeaderLabels(
        {tr("Package"), tr("Product"), tr("Budget"), tr("Pricing"), tr("Delivery"), tr("State")});
    m_packages->verticalHeader()->hide();
    m_packages->horizontalHeader()->setStretchLastSection(true);
    m_packages->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Packages have no names of their own: each reads as its product, the package id in the tooltip.
    m_packages->setColumnHidden(0, true);
    m_sections->addTab(m_packages, tr("Packages"));
    layout->addWidget(m_sections, 1);

    auto *actions = new QGridLayout;
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("resumeButton"));
    m_budget = new QPushButton(tr("Budget…"), this);
    m_budget->setObjectName(QStringLiteral("changeBudgetButton"));
    m_cancel = new QPushButton(tr("Cancel buy…"), this);
    m_cancel->setObjectName(QStringLiteral("cancelBuyButton"));
    m_creatives = new QPushButton(tr("Creatives…"), this);
    m_creatives->setObjectName(QStringLiteral("creativesButton"));
    m_creatives->setToolTip(tr("Upload creatives and assign them to the buy's packages"));
    m_audiences = new QPushButton(tr("Audiences…"), this);
    m_audiences->setObjectName(QStringLiteral("buyAudiencesButton"));
    m_audiences->setToolTip(tr("Choose the account's audiences the buy's packages target"));
    // Two rows of three, so that every button reads in full in a narrow detail pane (as the proposal's): what
    // the buy runs with and its budget, then how it runs.
    actions->addWidget(m_creatives, 0, 0);
    actions->addWidget(m_audiences, 0, 1);
    actions->addWidget(m_budget, 0, 2);
    actions->addWidget(m_pause, 1, 0);
    actions->addWidget(m_resume, 1, 1);
    actions->addWidget(m_cancel, 1, 2);
    layout->addLayout(actions);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);

    connect(m_pause, &QPushButton::clicked, this,
            [this] { Q_EMIT updateRequested(m_mediaBuyId, QStringLiteral("pause")); });
    connect(m_resume, &QPushButton::clicked, this,
            [this] { Q_EMIT updateRequested(m_mediaBuyId, QStringLiteral("resume")); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const int row = m_buys->rowOf(m_mediaBuyId);
        if (QMessageBox::question(
                this, tr("Cancel media buy"),
                tr("Cancel the buy “%1” (%2)? A canceled buy cannot be resumed.")
                    .arg(m_buys->title(row), m_buys->index(row, BuyModel::BudgetColumn).data().toString())) ==
            QMessageBox::Yes)
            Q_EMIT updateRequested(m_mediaBuyId, QStringLiteral("cancel"));
    });
    connect(m_budget, &QPushButton::clicked, this, [this] {
        const int row = m_buys->rowOf(m_mediaBuyId);
        const nlohmann::json &buy = m_buys->buyJson(row);
        const double current = buy.contains("total_budget") ? jsonAmount(buy["total_budget"]) : 0.0;
        QInputDialog dialog(this);
        dialog.setObjectName(QStringLiteral("budgetDialog"));
        dialog.setWindowTitle(tr("Change budget"));
        dialog.setInputMode(QInputDialog::DoubleInput);
        dialog.setDoubleRange(0, 1e12);
        dialog.setDoubleDecimals(2);
        dialog.setDoubleValue(current);
        dialog.setLabelText(
            tr("New total budget for %1 (now %2).\nLowering it applies at once, each package "
               "giving up the same share; raising it past what the seller accepted needs a new "
               "quote.")
                .arg(m_buys->title(row), m_buys->index(row, BuyModel::BudgetColumn).data().toString()));
        if (dialog.exec() == QDialog::Accepted && dialog.doubleValue() != current)
            Q_EMIT budgetChangeRequested(m_mediaBuyId, dialog.doubleValue());
    });
    connect(m_creatives, &QPushButton::clicked, this, [this] { Q_EMIT creativesRequested(m_mediaBuyId); });
    connect(m_audiences, &QPushButton::clicked, this, [this] { Q_EMIT audiencesRequested(m_mediaBuyId); });
    connect(m_chart, &DeliveryChart::granularityChanged, this,
            [this](const QString &granularity) { Q_EMIT deliveryRequested(m_mediaBuyId, granularity); });
    connect(m_buys, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = m_buys->rowOf(m_mediaBuyId);
                // Drawn again only when the buy itself changed, not when a poll brought it back the same.
                if (row >= topLeft.row() && row <= bottomRight.row() &&
                    m_buys->revision(row) != m_shownRevision)
                    refresh();
            });
    connect(m_buys, &QAbstractItemModel::modelReset, this, &BuyDetailWidget::refresh);
    refresh();
}

void BuyDetailWidget::showBuy(const QString &mediaBuyId)
{
    if (mediaBuyId != m_mediaBuyId) {
        m_error->clearError();
        m_packages->setRowCount(0); // another buy's packages: drawn afresh, columns fitted to them
    }
    m_mediaBuyId = mediaBuyId;
    m_timeline->setFilterRegularExpression(
        QRegularExpression(QLatin1Char('^') + QRegularExpression::escape(mediaBuyId) + QLatin1Char('$')));
    refresh();
}

QString BuyDetailWidget::mediaBuyId() const
{
    return m_mediaBuyId;
}

void BuyDetailWidget::setBusy(bool busy)
{
    if (busy)
        m_focusHold.enter(this);
    m_busy = busy;
    updateActions();
    if (!busy)
        m_focusHold.leave(this);
}

bool BuyDetailWidget::isTerminal(const QString &status)
{
    return status == QLatin1String("completed") || status == QLatin1String("canceled") ||
           status == QLatin1String("rejected");
}

void BuyDetailWidget::setControlOffered(bool offered)
{
    m_controlOffered = offered;
    updateActions();
}

void BuyDetailWidget::refresh()
{
    const int row = m_buys->rowOf(m_mediaBuyId);
    const nlohmann::json &buy = m_buys->buyJson(row);
    m_shownRevision = m_buys->revision(row);
    if (row < 0) {
        m_title->setText(tr("No media buy selected"));
        m_status->clear();
        m_health->clear();
        m_summary->clear();
        m_impairments->setImpairments(nlohmann::json::array());
        m_packages->setRowCount(0);
        m_chart->setDelivery(nlohmann::json::object(), nlohmann::json::object());
        updateActions();
        return;
    }
    const QString status = m_buys->index(row, BuyModel::StatusColumn).data().toString();
    const QString health = m_buys->index(row, 0).data(HealthRole).toString();
    // Which audiences the packages target, on the button that changes them.
    QStringList targeted;
    for (const auto &p : models::jsonArray(buy, "packages"))
        for (const auto &a :
             models::jsonStringList(models::jsonObject(p, "targeting_overlay"), "audience_include"))
            if (!targeted.contains(a))
                targeted << a;
    m_audiences->setText(targeted.isEmpty() ? tr("Audiences…") : tr("Audiences (%1)…").arg(targeted.size()));
    m_audiences->setToolTip(
        targeted.isEmpty() ? tr("Choose the account's audiences the buy's packages target")
                           : tr("Targets %1. Click to change.").arg(targeted.join(QStringLiteral(", "))));
    // Names first; the ids stay one hover away.
    m_title->setText(m_buys->title(row));
    m_title->setToolTip(tr("Media buy %1 · proposal %2").arg(m_mediaBuyId, m_buys->proposalId(row)));
    QString statusText = models::statusLabel(status);
    if (status != QLatin1String("paused") && !isTerminal(status) && buyDetailIsHeld(buy))
        statusText = tr("Paused (held) · %1").arg(statusText);
    m_status->setText(QStringLiteral("<span style='color:%1;font-weight:600'>● %2</span>")
                          .arg(statusColor(status).name(), statusText.toHtmlEscaped()));
    m_status->setToolTip(status);
    const int impairmentCount = buy.contains("impairments") && buy["impairments"].is_array()
                                    ? static_cast<int>(buy["impairments"].size())
                                    : 0;
    if (health.isEmpty())
        m_health->clear();
    else
        m_health->setText(
            QStringLiteral("<span style='background:%1;color:white;padding:2px 6px;'>&nbsp;%2&nbsp;</span>")
                .arg(statusColor(health).name(), health == QLatin1String("impaired")
                                                     ? tr("⚠ impaired (%1)").arg(impairmentCount)
                                                     : models::statusLabel(health).toHtmlEscaped()));
    m_summary->setText(
        tr("Budget %1 · flight %2 · revision %3")
            .arg(m_buys->index(row, BuyModel::BudgetColumn).data().toString(),
                 m_buys->index(row, BuyModel::FlightColumn).data().toString(),
                 jsonString(buy, "revision").isEmpty() ? QStringLiteral("—") : jsonString(buy, "revision")));
    // Packages by their product's name, as the Packages tab shows them.
    QHash<QString, QString> packageNames;
    for (const auto &package : jsonArrayView(buy, "packages")) {
        const QString productId = jsonString(package, "product_id");
        const QString name = nameOfProduct(productId);
        packageNames.insert(jsonString(package, "package_id"), name.isEmpty() ? productId : name);
    }
    m_impairments->setImpairments(jsonArray(buy, "impairments"), packageNames);
    m_noImpairments->setVisible(m_impairments->rowCount() == 0);
    m_impairmentView->setVisible(m_impairments->rowCount() > 0);
    m_sections->setTabText(1, impairmentCount > 0 ? tr("Impairments (%1)").arg(impairmentCount)
                                                  : tr("Impairments"));

    fillPackages(buy, m_buys->deliveryJson(row));
    m_chart->setDelivery(buy, m_buys->deliveryJson(row), m_shownRevision);
    updateActions();
}

void BuyDetailWidget::fillPackages(const nlohmann::json &buy, const nlohmann::json &delivery)
{
    // Which packages an open impairment takes out of service.
    QHash<QString, QString> impairedBy;
    for (const auto &impairment : jsonArray(buy, "impairments")) {
        const QString what = displayName(Vocabulary::ResourceType, jsonString(impairment, "resource_type"));
        for (const QString &packageId : jsonStringList(impairment, "package_ids"))
            impairedBy.insert(packageId, what);
    }
    // Delivery per package from the report when the buy's snapshot has none.
    QHash<QString, nlohmann::json> reported;
    for (const auto &package : jsonArray(delivery, "by_package"))
        reported.insert(jsonString(package, "package_id"), package);
    const nlohmann::json packages = jsonArray(buy, "packages");
    // Columns fit the first drawing of a buy, and again when its pricing first shows (the report comes
    // later).
    const bool firstDrawing =
        m_packages->rowCount() == 0 || (m_packages->item(0, 3) && m_packages->item(0, 3)->text().isEmpty());
    if (m_packages->rowCount() != static_cast<int>(packages.size()))
        m_packages->setRowCount(static_cast<int>(packages.size()));
    int p = 0;
    for (const auto &package : packages) {
        const QString packageId = jsonString(package, "package_id");
        // A package runs only while its buy does: before the buy is live, and after it ended, it says so.
        const QString buyStatus = jsonString(buy, "status");
        QString state = package.value("paused", false) ? tr("Paused") : tr("Running");
        if (buyStatus == QLatin1String("pending_creatives") || buyStatus == QLatin1String("pending_start") ||
            buyStatus == QLatin1String("pending_approval") || buyStatus == QLatin1String("submitted"))
            state = tr("Not live yet");
        else if (buyStatus == QLatin1String("completed"))
            state = tr("Ended");
        else if (buyStatus == QLatin1String("rejected"))
            state = tr("Not booked");
        if (package.value("canceled", false) || buyStatus == QLatin1String("canceled"))
            state = tr("Canceled");
        else if (impairedBy.contains(packageId))
            state = tr("⚠ Impaired: %1 out of service").arg(impairedBy.value(packageId).toLower());
        if (!jsonStringList(package, "formats_pending").isEmpty())
            state += tr(" · creatives pending");
        const nlohmann::json report = reported.value(packageId);
        nlohmann::json snapshot = jsonObject(package, "snapshot");
        if (snapshot.empty())
            snapshot = report;
        const QString currency = jsonString(buy, "currency");
        QString delivered = snapshot.empty() ? tr("not reported yet")
                                             : tr("%1 imp.").arg(userLocale().toString(
                                                   static_cast<qint64>(jsonNumber(snapshot, "impressions"))));
        // What the package bills on (clicks, completed views, rating points …) and what that cost so far.
        if (const QString units = billedUnitsText(report); !units.isEmpty())
            delivered += QStringLiteral(" · ") + units;
        if (report.contains("spend") && report["spend"].is_number())
            delivered += QStringLiteral(" · ") + formatMoney(jsonNumber(report, "spend"), currency);
        const QString productId = jsonString(package, "product_id");
        const QString productName = nameOfProduct(productId);
        const QStringList values{
            packageId,
            productName.isEmpty() ? productId : productName,
            package.contains("budget") ? formatMoney(jsonAmount(package["budget"]), currency) : QString(),
            pricingRateText(report, currency),
            delivered,
            state};
        // Cells change in place: a poll that brings new delivery leaves the planner's scroll position and
        // selection where they were.
        for (int c = 0; c < values.size(); ++c) {
            QString tip = values.at(c); // the whole text when the column is narrower
            if (c == 1)
                tip = tr("%1\npackage %2")
                          .arg(withId(productName.isEmpty() ? productId : productName, productId), packageId);
            if (const QString model = jsonString(report, "pricing_model"); c == 3 && !model.isEmpty())
                tip = displayName(Vocabulary::PricingModel, model) + QStringLiteral(": ") + values.at(c);
            QTableWidgetItem *item = m_packages->item(p, c);
            if (!item) {
                item = new QTableWidgetItem;
                m_packages->setItem(p, c, item);
            }
            if (item->text() != values.at(c))
                item->setText(values.at(c));
            if (item->toolTip() != tip)
                item->setToolTip(tip);
        }
        ++p;
    }
    if (firstDrawing && !packages.empty())
        m_packages->resizeColumnsToContents();
}

// Only the buttons depend on the busy state: a call starting or finishing does not redraw the buy.
void BuyDetailWidget::updateActions()
{
    m_budget->setToolTip(m_controlOffered
                             ? tr("Change the buy's total budget")
                             : tr("This seller does not offer budget changes on a running buy (it does not "
                                  "offer the AdCP 3.2 buy controls)."));
    const int row = m_buys->rowOf(m_mediaBuyId);
    if (row < 0) {
        for (QPushButton *button : {m_pause, m_resume, m_cancel, m_budget, m_creatives, m_audiences})
            button->setEnabled(false);
        return;
    }
    const QString status = m_buys->index(row, BuyModel::StatusColumn).data().toString();
    const bool terminal = isTerminal(status);
    const bool paused =
        status == QLatin1String("paused") || (!terminal && buyDetailIsHeld(m_buys->buyJson(row)));
    m_pause->setEnabled(!m_busy && !terminal && !paused);
    m_resume->setEnabled(!m_busy && paused);
    m_cancel->setEnabled(!m_busy && !terminal);
    m_budget->setEnabled(!m_busy && !terminal && m_controlOffered);
    m_creatives->setEnabled(!m_busy && !terminal);
    m_audiences->setEnabled(!m_busy && !terminal);
}

QLabel *BuyDetailWidget::healthLabel() const
{
    return m_health;
}

QLabel *BuyDetailWidget::statusLabel() const
{
    return m_status;
}

QListView *BuyDetailWidget::impairmentView() const
{
    return m_impairmentView;
}

ImpairmentModel *BuyDetailWidget::impairmentModel() const
{
    return m_impairments;
}

bool BuyDetailWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_timelineView && event->type() == QEvent::Resize)
        m_timelineView->setColumnHidden(BuyEventModel::SourceColumn, m_timelineView->width() < 420);
    return QWidget::eventFilter(watched, event);
}

QString BuyDetailWidget::nameOfProduct(const QString &productId) const
{
    return m_productLookup ? jsonString(m_productLookup(productId), "name") : QString();
}

void BuyDetailWidget::setProductLookup(std::function<nlohmann::json(const QString &productId)> lookup)
{
    m_productLookup = std::move(lookup);
}

QTableWidget *BuyDetailWidget::packageTable() const
{
    return m_packages;
}

QTreeView *BuyDetailWidget::timelineView() const
{
    return m_timelineView;
}

DeliveryChart *BuyDetailWidget::deliveryChart() const
{
    return m_chart;
}

ErrorBanner *BuyDetailWidget::errorBanner() const
{
    return m_error;
}

QPushButton *BuyDetailWidget::pauseButton() const
{
    return m_pause;
}

QPushButton *BuyDetailWidget::resumeButton() const
{
    return m_resume;
}

QPushButton *BuyDetailWidget::cancelButton() const
{
    return m_cancel;
}

QPushButton *BuyDetailWidget::budgetButton() const
{
    return m_budget;
}

QPushButton *BuyDetailWidget::audiencesButton() const
{
    return m_audiences;
}

QPushButton *BuyDetailWidget::creativesButton() const
{
    return m_creatives;
}

QTabWidget *BuyDetailWidget::sections() const
{
    return m_sections;
}

} // namespace adcp::gui

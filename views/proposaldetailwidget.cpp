#include "proposaldetailwidget.h"

#include "allocationmodel.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "jsonvalues.h"
#include "modelroles.h"
#include "opportunitymodel.h"
#include "pricingtext.h"
#include "productmodel.h"
#include "proposalmodel.h"
#include "proposalversionmodel.h"
#include "statuschipdelegate.h"
#include "theme.h"

#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {

// The allocation table's least width with its pricing column shown.
constexpr int kAllocationPricingWidth = 420;

} // namespace

using namespace adcp::models;

namespace {

QLabel *subTitle(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(QStringLiteral("sectionTitle"));
    return label;
}

} // namespace

ProposalDetailWidget::ProposalDetailWidget(ProposalModel *proposals, ProductModel *products, QWidget *parent)
    : QWidget(parent), m_proposals(proposals), m_products(products), m_allocations(new AllocationModel(this)),
      m_versions(new ProposalVersionModel(this))
{
    setObjectName(QStringLiteral("proposalDetail"));
    m_allocations->setProductNamer([this](const QString &id) { return m_products->productName(id); });
    m_allocations->setPricingDescriber([this](const QString &productId, const QString &optionId) {
        const int row = m_products->rowOf(productId);
        if (row < 0)
            return QString();
        for (const auto &option : jsonArray(m_products->productJson(row), "pricing_options")) {
            if (jsonString(option, "pricing_option_id") == optionId)
                return optionSummaryText(option);
        }
        return QString();
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // The name on a line of its own, the status under it: beside each other in the ~300 px pane the status
    // chip cut the title short.
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("detailTitle"));
    m_title->setWordWrap(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("proposalStatus"));
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    m_countdown = new QLabel(this);
    m_countdown->setObjectName(QStringLiteral("countdown"));
    m_countdown->setWordWrap(true);
    layout->addWidget(m_countdown);
    m_description = new QLabel(this);
    m_description->setWordWrap(true);
    m_description->setStyleSheet(QStringLiteral("color: #4b5563;"));
    layout->addWidget(m_description);
    m_guidance = new QLabel(this);
    m_guidance->setObjectName(QStringLiteral("budgetGuidance"));
    m_guidance->setWordWrap(true);
    layout->addWidget(m_guidance);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: #9a3412;"));
    layout->addWidget(m_note);

    layout->addWidget(subTitle(tr("ALLOCATIONS"), this));
    m_allocationView = new QTableView(this);
    m_allocationView->setObjectName(QStringLiteral("allocationView"));
    m_allocationView->setModel(m_allocations);
    m_allocationView->verticalHeader()->hide();
    m_allocationView->setSelectionMode(QAbstractItemView::NoSelection);
    m_allocationView->setShowGrid(false);
    m_allocationView->horizontalHeader()->setSectionResizeMode(AllocationModel::ProductColumn,
                                                               QHeaderView::Stretch);
    m_allocationView->setColumnWidth(AllocationModel::ShareColumn, 80);
    m_allocationView->horizontalHeader()->setSectionResizeMode(AllocationModel::AmountColumn,
                                                               QHeaderView::ResizeToContents);
    // Narrow (beside the docked seller console) the pricing column gives its room to the product names; the
    // product's tooltip names the pricing then.
    m_allocationView->installEventFilter(this);
    m_allocationView->setItemDelegateForColumn(AllocationModel::ShareColumn, new PercentBarDelegate(this));
    m_allocationView->setMinimumHeight(110);
    layout->addWidget(m_allocationView, 2);

    auto *versionsHead = new QHBoxLayout;
    versionsHead->addWidget(subTitle(tr("VERSIONS"), this), 1);
    m_compare = new QPushButton(tr("⇄ Compare"), this);
    m_compare->setObjectName(QStringLiteral("compareButton"));
    m_compare->setToolTip(tr("Compare two selected versions (or the selected one with the latest)"));
    versionsHead->addWidget(m_compare);
    layout->addLayout(versionsHead);
    m_versionView = new QTreeView(this);
    m_versionView->setObjectName(QStringLiteral("versionView"));
    m_versionView->setModel(m_versions);
    m_versionView->setRootIsDecorated(false);
    m_versionView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_versionView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_versionView->setItemDelegateForColumn(ProposalVersionModel::StatusColumn,
                                            new StatusChipDelegate(StatusRole, this));
    m_versionView->setMinimumHeight(80);
    m_versionView->setColumnWidth(ProposalVersionModel::VersionColumn, 70);
    m_versionView->setColumnWidth(ProposalVersionModel::ReceivedColumn, 140);
    layout->addWidget(m_versionView, 1);

    auto *actions = new QGridLayout;
    m_refine = new QPushButton(tr("Refine…"), this);
    m_refine->setObjectName(QStringLiteral("refineButton"));
    m_finalize = new QPushButton(tr("Finalize"), this);
    m_finalize->setObjectName(QStringLiteral("finalizeButton"));
    m_finalize->setToolTip(tr("Ask the seller to commit: firm price and inventory held until expiry"));
    m_decline = new QPushButton(tr("Decline…"), this);
    m_decline->setObjectName(QStringLiteral("declineButton"));
    m_createBuy = new QPushButton(tr("Create buy…"), this);
    m_createBuy->setObjectName(QStringLiteral("createBuyButton"));
    m_closeOpportunity = new QPushButton(tr("Close opportunity…"), this);
    m_closeOpportunity->setObjectName(QStringLiteral("closeOpportunityButton"));
    actions->addWidget(m_refine, 0, 0);
    actions->addWidget(m_finalize, 0, 1);
    actions->addWidget(m_decline, 0, 2);
    actions->addWidget(m_createBuy, 1, 0, 1, 2);
    actions->addWidget(m_closeOpportunity, 1, 2);
    layout->addLayout(actions);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);

    connect(m_refine, &QPushButton::clicked, this, [this] { Q_EMIT refineRequested(m_proposalId); });
    connect(m_finalize, &QPushButton::clicked, this, [this] { Q_EMIT finalizeRequested(m_proposalId); });
    connect(m_decline, &QPushButton::clicked, this, [this] { Q_EMIT declineRequested(m_proposalId); });
    connect(m_createBuy, &QPushButton::clicked, this, [this] { Q_EMIT createBuyRequested(m_proposalId); });
    connect(m_closeOpportunity, &QPushButton::clicked, this, [this] {
        Q_EMIT closeOpportunityRequested(m_proposals->opportunityId(m_proposals->rowOf(m_proposalId)));
    });
    connect(m_compare, &QPushButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &index : m_versionView->selectionModel()->selectedRows())
            rows << index.row();
        std::sort(rows.begin(), rows.end());
        const int last = m_versions->rowCount() - 1;
        if (rows.size() >= 2)
            Q_EMIT compareRequested(m_proposalId, rows.front(), rows.back());
        else if (rows.size() == 1 && rows.front() != last)
            Q_EMIT compareRequested(m_proposalId, rows.front(), last);
        else if (last >= 1)
            Q_EMIT compareRequested(m_proposalId, last - 1, last);
    });
    connect(m_proposals, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = m_proposals->rowOf(m_proposalId);
                if (row < topLeft.row() || row > bottomRight.row())
                    return;
                // The countdown tick touches only status/expiry columns; a new version touches all.
                if (topLeft.column() == 0)
                    refresh();
                else
                    refreshCountdown();
            });
    connect(m_proposals, &QAbstractItemModel::modelReset, this, &ProposalDetailWidget::refresh);
    connect(m_products, &QAbstractItemModel::modelReset, this, &ProposalDetailWidget::refresh);
    refresh();
}

void ProposalDetailWidget::showProposal(const QString &proposalId)
{
    if (proposalId != m_proposalId)
        m_error->clearError();
    m_proposalId = proposalId;
    refresh();
}

QString ProposalDetailWidget::proposalId() const
{
    return m_proposalId;
}

void ProposalDetailWidget::setBusy(bool busy)
{
    if (busy)
        m_focusHold.enter(this);
    m_busy = busy;
    updateActions();
    if (!busy)
        m_focusHold.leave(this);
}

void ProposalDetailWidget::refresh()
{
    const int row = m_proposals->rowOf(m_proposalId);
    const nlohmann::json &json = m_proposals->proposalJson(row);
    if (row < 0) {
        m_title->setText(tr("No proposal selected"));
        m_status->clear();
        m_countdown->clear();
        m_description->clear();
        m_guidance->clear();
        m_note->clear();
        m_allocations->setProposal(nlohmann::json::object());
        m_versions->setVersions({});
        updateActions();
        return;
    }
    const QString version = m_proposals->index(row, ProposalModel::VersionColumn).data().toString();
    // The id (one unbreakable word, cut mid-glyph when it did not fit) is in the tooltip and on Copy id.
    m_title->setText(QStringLiteral("%1  <span style='color:#6b7280;font-weight:normal'>%2</span>")
                         .arg(jsonString(json, "name").toHtmlEscaped(), version.toHtmlEscaped()));
    m_title->setToolTip(tr("Proposal %1, version %2").arg(m_proposalId, version));
    m_description->setText(jsonString(json, "description"));
    m_description->setVisible(!m_description->text().isEmpty());
    const nlohmann::json guidance = jsonObject(json, "total_budget_guidance");
    if (guidance.is_object() && !guidance.empty()) {
        const QString currency = jsonString(guidance, "currency");
        QStringList parts;
        if (guidance.contains("min"))
            parts << tr("min %1").arg(formatMoney(jsonNumber(guidance, "min"), currency));
        if (guidance.contains("recommended"))
            parts << tr("<b>recommended %1</b>")
                         .arg(formatMoney(jsonNumber(guidance, "recommended"), currency));
        if (guidance.contains("max"))
            parts << tr("max %1").arg(formatMoney(jsonNumber(guidance, "max"), currency));
        m_guidance->setText(tr("Budget guidance: %1").arg(parts.join(QStringLiteral(" · "))));
    } else {
        m_guidance->setText(tr("No budget guidance"));
    }
    m_note->setText(m_proposals->note(row));
    m_note->setVisible(!m_note->text().isEmpty());
    m_allocations->setProposal(json);
    m_versions->setVersions(m_proposals->versions(row));
    if (m_versions->rowCount() > 0)
        m_versionView->setCurrentIndex(m_versions->index(m_versions->rowCount() - 1, 0));
    refreshCountdown();
}

void ProposalDetailWidget::refreshCountdown()
{
    const int row = m_proposals->rowOf(m_proposalId);
    if (row < 0)
        return;
    const QString status = m_proposals->status(row);
    const QColor colour = statusColor(status);
    m_status->setText(QStringLiteral("<span style='color:%1;font-weight:600'>● %2</span>")
                          .arg(colour.name(), models::statusLabel(status).toHtmlEscaped()));
    m_status->setToolTip(status);
    const QModelIndex index = m_proposals->index(row, 0);
    const QDateTime expiresAt = index.data(ExpiresAtRole).toDateTime();
    if (status == QLatin1String("committed") && expiresAt.isValid())
        m_countdown->setText(
            tr("expires in %1").arg(formatCountdown(index.data(SecondsLeftRole).toLongLong())));
    else if (status == QLatin1String("expired") &&
             jsonString(m_proposals->proposalJson(row), "proposal_status") == QLatin1String("draft"))
        m_countdown->setText(tr("indicative pricing went stale at %1: Refine to ask for fresh terms")
                                 .arg(expiresAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    else if (status == QLatin1String("expired"))
        m_countdown->setText(tr("hold expired at %1").arg(expiresAt.toLocalTime().toString(Qt::ISODate)));
    else if (status == QLatin1String("submitted"))
        // The note line under the description already says what the seller holds (and its task id).
        m_countdown->setText(tr("Create buy stays off until the seller answers."));
    else if (status == QLatin1String("draft") && expiresAt.isValid())
        m_countdown->setText(tr("indicative pricing, fresh until %1")
                                 .arg(expiresAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    else
        m_countdown->clear();
    m_countdown->setVisible(!m_countdown->text().isEmpty());
    updateActions();
}

void ProposalDetailWidget::updateActions()
{
    const int row = m_proposals->rowOf(m_proposalId);
    const QString status = m_proposals->status(row);
    const bool open = row >= 0 && !m_busy;
    const bool draft = status == QLatin1String("draft");
    const bool committed = status == QLatin1String("committed") || status == QLatin1String("ready");
    // A buy the seller still reviews (submitted) must not be booked twice, nor its proposal changed under it.
    const bool finished = status == QLatin1String("declined") || status == QLatin1String("consumed") ||
                          status == QLatin1String("consuming") || status == QLatin1String("accepted") ||
                          status == QLatin1String("submitted");
    m_refine->setEnabled(open && !finished);
    m_finalize->setEnabled(open && draft);
    m_decline->setEnabled(open && !finished);
    m_createBuy->setEnabled(open && committed);
    const QString opportunityId = m_proposals->opportunityId(row);
    m_closeOpportunity->setEnabled(
        open && !opportunityId.isEmpty() &&
        (!m_opportunities || m_opportunities->closeReason(opportunityId).isEmpty()));
    m_closeOpportunity->setToolTip(m_closeOpportunity->isEnabled() || opportunityId.isEmpty()
                                       ? QString()
                                       : tr("This opportunity is closed already."));
    m_compare->setEnabled(row >= 0 && m_versions->rowCount() >= 2);
}

void ProposalDetailWidget::setOpportunities(const models::OpportunityModel *opportunities)
{
    m_opportunities = opportunities;
    // A close (here or from the seller's answer) changes what Close opportunity can do.
    connect(opportunities, &QAbstractItemModel::dataChanged, this, &ProposalDetailWidget::updateActions);
    updateActions();
}

bool ProposalDetailWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_allocationView && event->type() == QEvent::Resize)
        m_allocationView->setColumnHidden(AllocationModel::PricingColumn,
                                          m_allocationView->width() < kAllocationPricingWidth);
    return QWidget::eventFilter(watched, event);
}

ErrorBanner *ProposalDetailWidget::errorBanner() const
{
    return m_error;
}

QLabel *ProposalDetailWidget::countdownLabel() const
{
    return m_countdown;
}

QLabel *ProposalDetailWidget::statusLabel() const
{
    return m_status;
}

QPushButton *ProposalDetailWidget::refineButton() const
{
    return m_refine;
}

QPushButton *ProposalDetailWidget::finalizeButton() const
{
    return m_finalize;
}

QPushButton *ProposalDetailWidget::declineButton() const
{
    return m_decline;
}

QPushButton *ProposalDetailWidget::createBuyButton() const
{
    return m_createBuy;
}

QPushButton *ProposalDetailWidget::compareButton() const
{
    return m_compare;
}

QPushButton *ProposalDetailWidget::closeOpportunityButton() const
{
    return m_closeOpportunity;
}

QTableView *ProposalDetailWidget::allocationView() const
{
    return m_allocationView;
}

QTreeView *ProposalDetailWidget::versionView() const
{
    return m_versionView;
}

ProposalVersionModel *ProposalDetailWidget::versionModel() const
{
    return m_versions;
}

} // namespace adcp::gui

#include "buymonitorwidget.h"

#include "buymodel.h"
#include "buysortmodel.h"
#include "filterablelistwidget.h"
#include "modelroles.h"
#include "statuschipdelegate.h"
#include "subtitledelegate.h"

#include <QCheckBox>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

BuyMonitorWidget::BuyMonitorWidget(models::BuyModel *model, QWidget *parent)
    : QWidget(parent), m_proxy(new models::BuySortModel(this))
{
    setObjectName(QStringLiteral("buyMonitor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_list = new FilterableListWidget(
        model, m_proxy, {QStringLiteral("buy"), tr("Filter buys (Ctrl+F)"), models::BuyModel::IdColumn},
        this);
    layout->addWidget(m_list);
    m_impairedOnly = new QCheckBox(tr("Impaired only"), this);
    m_list->addFilterWidget(m_impairedOnly);

    QTreeView *view = m_list->view();
    view->setItemDelegateForColumn(models::BuyModel::StatusColumn,
                                   new StatusChipDelegate(models::StatusRole, view));
    view->setItemDelegateForColumn(models::BuyModel::HealthColumn,
                                   new StatusChipDelegate(models::HealthRole, view));
    view->setItemDelegateForColumn(models::BuyModel::PacingColumn, new PercentBarDelegate(view));
    view->setColumnHidden(models::BuyModel::IdColumn, true);
    // Name, status, health and budget in sight in the ~470 px list beside the docked console (the status chip
    // read "Waiting for creativ" and the budget "$5"); pacing and flight are a scroll away.
    view->setColumnWidth(models::BuyModel::ProposalColumn, 140);
    view->setColumnWidth(models::BuyModel::StatusColumn, 150);
    view->setColumnWidth(models::BuyModel::HealthColumn, 80);
    view->setColumnWidth(models::BuyModel::BudgetColumn, 85);
    view->setColumnWidth(models::BuyModel::PacingColumn, 150);
    // The brief under what the buy was bought from, while the list mixes briefs (setBriefShown): the buys of
    // "Balanced plan" under two briefs then read apart.
    view->setColumnHidden(models::BuyModel::BriefColumn, true);
    m_names = new SubtitleDelegate(models::BuyModel::BriefColumn, view);
    view->setItemDelegateForColumn(models::BuyModel::ProposalColumn, m_names);

    connect(m_list, &FilterableListWidget::filterTextChanged, m_proxy, &models::BuySortModel::setFilterText);
    connect(m_impairedOnly, &QCheckBox::toggled, m_proxy, &models::BuySortModel::setImpairedOnly);
    connect(m_list, &FilterableListWidget::selected, this, &BuyMonitorWidget::buySelected);
    connect(m_list, &FilterableListWidget::scopeCleared, this, &BuyMonitorWidget::scopeCleared);
}

void BuyMonitorWidget::setBriefShown(bool shown)
{
    m_names->setShown(shown);
}

bool BuyMonitorWidget::isBriefShown() const
{
    return m_names->isShown();
}

QTreeView *BuyMonitorWidget::view() const
{
    return m_list->view();
}

QLineEdit *BuyMonitorWidget::filterEdit() const
{
    return m_list->filterEdit();
}

models::BuySortModel *BuyMonitorWidget::proxy() const
{
    return m_proxy;
}

void BuyMonitorWidget::focusFilter()
{
    m_list->focusFilter();
}

void BuyMonitorWidget::selectBuy(const QString &mediaBuyId)
{
    m_list->select(mediaBuyId);
}

void BuyMonitorWidget::setScope(const QString &text)
{
    m_list->setScope(text);
}

bool BuyMonitorWidget::isFilteredOut(const QString &id) const
{
    return m_list->isFilteredOut(id);
}

} // namespace adcp::gui

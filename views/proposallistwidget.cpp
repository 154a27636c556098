#include "proposallistwidget.h"

#include "filterablelistwidget.h"
#include "modelroles.h"
#include "proposalmodel.h"
#include "proposalsortmodel.h"
#include "statuschipdelegate.h"
#include "subtitledelegate.h"

#include <QComboBox>
#include <QHeaderView>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

ProposalListWidget::ProposalListWidget(models::ProposalModel *model, QWidget *parent)
    : QWidget(parent), m_proxy(new models::ProposalSortModel(this))
{
    setObjectName(QStringLiteral("proposalList"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_list = new FilterableListWidget(
        model, m_proxy,
        {QStringLiteral("proposal"), tr("Filter proposals (Ctrl+F)"), models::ProposalModel::IdColumn}, this);
    layout->addWidget(m_list);
    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("proposalStatusFilter"));
    m_status->addItem(tr("All statuses"), QStringList());
    m_status->addItem(
        tr("Open (draft, committed)"),
        QStringList{QStringLiteral("draft"), QStringLiteral("committed"), QStringLiteral("ready")});
    m_status->addItem(tr("Committed"), QStringList{QStringLiteral("committed")});
    m_status->addItem(tr("Declined"), QStringList{QStringLiteral("declined")});
    m_status->addItem(tr("Bought"), QStringList{QStringLiteral("consumed"), QStringLiteral("consuming")});
    m_list->addFilterWidget(m_status);

    QTreeView *view = m_list->view();
    view->setItemDelegateForColumn(models::ProposalModel::StatusColumn,
                                   new StatusChipDelegate(models::StatusRole, view));
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(models::ProposalModel::NameColumn, QHeaderView::Stretch);
    view->setColumnHidden(models::ProposalModel::IdColumn, true);
    // Beside the docked console the list is ~470 px: the name keeps ~130 px and the status chip fits
    // "Committed (held)" (at 110 px it was cut; widening it alone squeezed the names to "Balance…").
    view->setColumnWidth(models::ProposalModel::VersionColumn, 58);
    view->setColumnWidth(models::ProposalModel::StatusColumn, 130);
    view->setColumnWidth(models::ProposalModel::BudgetColumn, 85);
    view->setColumnWidth(models::ProposalModel::ExpiresColumn, 80);
    // The brief under the name, while the list mixes briefs (setBriefShown): "Balanced plan" of one brief and
    // of another then read apart. A column of its own left both cut to "Balan…" in the ~470 px list.
    view->setColumnHidden(models::ProposalModel::BriefColumn, true);
    m_names = new SubtitleDelegate(models::ProposalModel::BriefColumn, view);
    view->setItemDelegateForColumn(models::ProposalModel::NameColumn, m_names);

    connect(m_list, &FilterableListWidget::filterTextChanged, m_proxy,
            &models::ProposalSortModel::setFilterText);
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] {
        const QStringList statuses = m_status->currentData().toStringList();
        m_proxy->setStatuses(QSet<QString>(statuses.begin(), statuses.end()));
    });
    connect(m_list, &FilterableListWidget::selected, this, &ProposalListWidget::proposalSelected);
    connect(m_list, &FilterableListWidget::scopeCleared, this, &ProposalListWidget::scopeCleared);
}

QTreeView *ProposalListWidget::view() const
{
    return m_list->view();
}

QLineEdit *ProposalListWidget::filterEdit() const
{
    return m_list->filterEdit();
}

QComboBox *ProposalListWidget::statusFilter() const
{
    return m_status;
}

models::ProposalSortModel *ProposalListWidget::proxy() const
{
    return m_proxy;
}

void ProposalListWidget::focusFilter()
{
    m_list->focusFilter();
}

void ProposalListWidget::selectProposal(const QString &proposalId)
{
    m_list->select(proposalId);
}

void ProposalListWidget::setBriefShown(bool shown)
{
    m_names->setShown(shown);
}

bool ProposalListWidget::isBriefShown() const
{
    return m_names->isShown();
}

void ProposalListWidget::setScope(const QString &text)
{
    m_list->setScope(text);
}

} // namespace adcp::gui

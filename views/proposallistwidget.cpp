#include "proposallistwidget.h"

#include "modelroles.h"
#include "proposalmodel.h"
#include "proposalsortmodel.h"
#include "statuschipdelegate.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

ProposalListWidget::ProposalListWidget(models::ProposalModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new models::ProposalSortModel(this))
{
    setObjectName(QStringLiteral("proposalList"));
    m_proxy->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("proposalFilter"));
    m_filter->setPlaceholderText(tr("Filter proposals (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("proposalStatusFilter"));
    m_status->addItem(tr("All statuses"), QStringList());
    m_status->addItem(
        tr("Open (draft, committed)"),
        QStringList{QStringLiteral("draft"), QStringLiteral("committed"), QStringLiteral("ready")});
    m_status->addItem(tr("Committed"), QStringList{QStringLiteral("committed")});
    m_status->addItem(tr("Declined"), QStringList{QStringLiteral("declined")});
    m_status->addItem(tr("Bought"), QStringList{QStringLiteral("consumed"), QStringLiteral("consuming")});
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_status);
    layout->addLayout(bar);

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("proposalView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::ProposalModel::IdColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setItemDelegateForColumn(models::ProposalModel::StatusColumn,
                                     new StatusChipDelegate(models::StatusRole, m_view));
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(models::ProposalModel::NameColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(models::ProposalModel::IdColumn, 150);
    m_view->setColumnWidth(models::ProposalModel::VersionColumn, 70);
    m_view->setColumnWidth(models::ProposalModel::StatusColumn, 110);
    m_view->setColumnWidth(models::ProposalModel::BudgetColumn, 100);
    m_view->setColumnWidth(models::ProposalModel::ExpiresColumn, 100);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &models::ProposalSortModel::setFilterText);
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] {
        const QStringList statuses = m_status->currentData().toStringList();
        m_proxy->setStatuses(QSet<QString>(statuses.begin(), statuses.end()));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT proposalSelected(current.data(models::IdRole).toString());
            });
    // A click on the already-current row shows it again (the detail panel may show something else).
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        Q_EMIT proposalSelected(index.data(models::IdRole).toString());
    });
}

QTreeView *ProposalListWidget::view() const
{
    return m_view;
}

QLineEdit *ProposalListWidget::filterEdit() const
{
    return m_filter;
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
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void ProposalListWidget::selectProposal(const QString &proposalId)
{
    const int row = m_model->rowOf(proposalId);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    // Selecting the row that is already current changes nothing in the view; say so anyway, so the detail
    // panel shows it again.
    if (m_view->currentIndex().row() == index.row())
        Q_EMIT proposalSelected(proposalId);
    else
        m_view->setCurrentIndex(index);
}

} // namespace adcp::gui

#include "buymonitorwidget.h"

#include "buymodel.h"
#include "buysortmodel.h"
#include "modelroles.h"
#include "statuschipdelegate.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

BuyMonitorWidget::BuyMonitorWidget(models::BuyModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new models::BuySortModel(this))
{
    setObjectName(QStringLiteral("buyMonitor"));
    m_proxy->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("buyFilter"));
    m_filter->setPlaceholderText(tr("Filter buys (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_impairedOnly = new QCheckBox(tr("Impaired only"), this);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_impairedOnly);
    layout->addLayout(bar);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("buyView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::BuyModel::IdColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setItemDelegateForColumn(models::BuyModel::StatusColumn,
                                     new StatusChipDelegate(models::StatusRole, m_view));
    m_view->setItemDelegateForColumn(models::BuyModel::HealthColumn,
                                     new StatusChipDelegate(models::HealthRole, m_view));
    m_view->setItemDelegateForColumn(models::BuyModel::PacingColumn, new PercentBarDelegate(m_view));
    m_view->setColumnWidth(models::BuyModel::IdColumn, 150);
    m_view->setColumnWidth(models::BuyModel::ProposalColumn, 130);
    m_view->setColumnWidth(models::BuyModel::StatusColumn, 130);
    m_view->setColumnWidth(models::BuyModel::HealthColumn, 110);
    m_view->setColumnWidth(models::BuyModel::BudgetColumn, 90);
    m_view->setColumnWidth(models::BuyModel::PacingColumn, 150);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &models::BuySortModel::setFilterText);
    connect(m_impairedOnly, &QCheckBox::toggled, m_proxy, &models::BuySortModel::setImpairedOnly);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT buySelected(current.data(models::IdRole).toString());
            });
    connect(m_view, &QTreeView::clicked, this,
            [this](const QModelIndex &index) { Q_EMIT buySelected(index.data(models::IdRole).toString()); });
}

QTreeView *BuyMonitorWidget::view() const
{
    return m_view;
}

QLineEdit *BuyMonitorWidget::filterEdit() const
{
    return m_filter;
}

models::BuySortModel *BuyMonitorWidget::proxy() const
{
    return m_proxy;
}

void BuyMonitorWidget::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void BuyMonitorWidget::selectBuy(const QString &mediaBuyId)
{
    const int row = m_model->rowOf(mediaBuyId);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    // Selecting the row that is already current changes nothing in the view; say so anyway, so the detail
    // panel shows it again.
    if (m_view->currentIndex().row() == index.row())
        Q_EMIT buySelected(mediaBuyId);
    else
        m_view->setCurrentIndex(index);
}

} // namespace adcp::gui

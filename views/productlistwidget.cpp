#include "productlistwidget.h"

#include "modelroles.h"
#include "productmodel.h"
#include "productsortmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSet>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

ProductListWidget::ProductListWidget(models::ProductModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new models::ProductSortModel(this))
{
    setObjectName(QStringLiteral("productList"));
    m_proxy->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("productFilter"));
    m_filter->setPlaceholderText(tr("Filter products (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_channel = new QComboBox(this);
    m_channel->setObjectName(QStringLiteral("productChannel"));
    m_channel->addItem(tr("All channels"), QString());
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_channel);
    layout->addLayout(bar);

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("productView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::ProductModel::RankColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(models::ProductModel::RankColumn, 36);
    m_view->setColumnWidth(models::ProductModel::NameColumn, 220);
    m_view->setColumnWidth(models::ProductModel::ChannelsColumn, 110);
    m_view->setColumnWidth(models::ProductModel::DeliveryColumn, 110);
    m_view->setColumnWidth(models::ProductModel::PriceColumn, 120);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &models::ProductSortModel::setFilterText);
    connect(m_channel, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setChannel(m_channel->currentData().toString()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ProductListWidget::refreshChannels);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT productSelected(current.data(models::IdRole).toString());
            });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid())
            return;
        const QString id = index.data(models::IdRole).toString();
        QMenu menu(this);
        menu.addAction(tr("Include (ask for updated terms)"), this,
                       [this, id] { Q_EMIT refineProductRequested(id, QStringLiteral("include")); });
        menu.addAction(tr("More like this"), this,
                       [this, id] { Q_EMIT refineProductRequested(id, QStringLiteral("more_like_this")); });
        menu.addAction(tr("Omit"), this,
                       [this, id] { Q_EMIT refineProductRequested(id, QStringLiteral("omit")); });
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });
}

void ProductListWidget::refreshChannels()
{
    QSet<QString> channels;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        for (const QString &channel : m_model->index(row, models::ProductModel::ChannelsColumn)
                                          .data()
                                          .toString()
                                          .split(QStringLiteral(", ")))
            if (!channel.isEmpty())
                channels.insert(channel);
    }
    QStringList sorted(channels.begin(), channels.end());
    sorted.sort();
    const QString current = m_channel->currentData().toString();
    m_channel->blockSignals(true);
    m_channel->clear();
    m_channel->addItem(tr("All channels"), QString());
    for (const QString &channel : sorted)
        m_channel->addItem(channel, channel);
    const int index = m_channel->findData(current);
    m_channel->setCurrentIndex(index < 0 ? 0 : index);
    m_channel->blockSignals(false);
    m_proxy->setChannel(m_channel->currentData().toString());
}

QTreeView *ProductListWidget::view() const
{
    return m_view;
}

QLineEdit *ProductListWidget::filterEdit() const
{
    return m_filter;
}

models::ProductSortModel *ProductListWidget::proxy() const
{
    return m_proxy;
}

void ProductListWidget::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

} // namespace adcp::gui

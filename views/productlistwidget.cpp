#include "productlistwidget.h"

#include "filterablelistwidget.h"
#include "modelroles.h"
#include "productmodel.h"
#include "productsortmodel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QMenu>
#include <QSet>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

ProductListWidget::ProductListWidget(models::ProductModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new models::ProductSortModel(this))
{
    setObjectName(QStringLiteral("productList"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_list = new FilterableListWidget(
        model, m_proxy,
        {QStringLiteral("product"), tr("Filter products (Ctrl+F)"), models::ProductModel::RankColumn}, this);
    layout->addWidget(m_list);
    m_channel = new QComboBox(this);
    m_channel->setObjectName(QStringLiteral("productChannel"));
    m_channel->addItem(tr("All channels"), QString());
    m_list->addFilterWidget(m_channel);

    QTreeView *view = m_list->view();
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    view->header()->setStretchLastSection(true);
    view->setColumnWidth(models::ProductModel::RankColumn, 36);
    view->setColumnWidth(models::ProductModel::NameColumn, 220);
    view->setColumnWidth(models::ProductModel::ChannelsColumn, 110);
    view->setColumnWidth(models::ProductModel::DeliveryColumn, 110);
    view->setColumnWidth(models::ProductModel::PriceColumn, 120);

    connect(m_list, &FilterableListWidget::filterTextChanged, m_proxy,
            &models::ProductSortModel::setFilterText);
    connect(m_channel, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setChannel(m_channel->currentData().toString()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ProductListWidget::refreshChannels);
    connect(m_list, &FilterableListWidget::selected, this, &ProductListWidget::productSelected);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view](const QPoint &pos) {
        const QModelIndex index = view->indexAt(pos);
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
        menu.exec(view->viewport()->mapToGlobal(pos));
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
    return m_list->view();
}

QLineEdit *ProductListWidget::filterEdit() const
{
    return m_list->filterEdit();
}

models::ProductSortModel *ProductListWidget::proxy() const
{
    return m_proxy;
}

void ProductListWidget::focusFilter()
{
    m_list->focusFilter();
}

} // namespace adcp::gui

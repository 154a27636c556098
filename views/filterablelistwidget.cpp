#include "filterablelistwidget.h"

#include "modelroles.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

QTreeView *makeListView(QAbstractItemModel *source, QSortFilterProxyModel *proxy, const QString &name,
                        QWidget *parent)
{
    proxy->setSourceModel(source);
    auto *view = new QTreeView(parent);
    view->setObjectName(name + QStringLiteral("View"));
    view->setModel(proxy);
    view->setRootIsDecorated(false);
    view->setAlternatingRowColors(true);
    view->setSortingEnabled(true);
    view->sortByColumn(-1, Qt::AscendingOrder);
    view->setUniformRowHeights(true);
    // Names come first in the lists; the AdCP id is one right-click away (and in each row's tooltip).
    auto *copyId = new QAction(QObject::tr("Copy id"), view);
    copyId->setObjectName(name + QStringLiteral("CopyId"));
    QObject::connect(copyId, &QAction::triggered, view, [view] {
        const QString id = view->currentIndex().data(models::IdRole).toString();
        if (!id.isEmpty())
            QApplication::clipboard()->setText(id);
    });
    view->addAction(copyId);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    return view;
}

FilterableListWidget::FilterableListWidget(QAbstractItemModel *source, QSortFilterProxyModel *proxy,
                                           const Options &options, QWidget *parent)
    : QWidget(parent), m_source(source), m_proxy(proxy)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(options.name + QStringLiteral("Filter"));
    m_filter->setPlaceholderText(options.placeholder);
    m_filter->setClearButtonEnabled(true);
    m_bar->addWidget(m_filter, 1);
    layout->addLayout(m_bar);

    m_scopeBar = new QFrame(this);
    m_scopeBar->setObjectName(options.name + QStringLiteral("ScopeBar"));
    m_scopeBar->setFrameShape(QFrame::StyledPanel);
    auto *scopeLayout = new QHBoxLayout(m_scopeBar);
    scopeLayout->setContentsMargins(8, 2, 2, 2);
    m_scope = new QLabel(m_scopeBar);
    m_scope->setObjectName(options.name + QStringLiteral("Scope"));
    m_scope->setTextFormat(Qt::RichText);
    m_scope->setWordWrap(true);
    scopeLayout->addWidget(m_scope, 1);
    auto *showAll = new QPushButton(tr("Show all"), m_scopeBar);
    showAll->setObjectName(options.name + QStringLiteral("ShowAll"));
    showAll->setToolTip(tr("Show every row again, whichever opportunity it belongs to"));
    scopeLayout->addWidget(showAll);
    m_scopeBar->hide();
    layout->addWidget(m_scopeBar);
    connect(showAll, &QPushButton::clicked, this, &FilterableListWidget::scopeCleared);

    m_view = makeListView(source, m_proxy, options.name, this);
    m_view->sortByColumn(options.sortColumn, Qt::AscendingOrder);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &FilterableListWidget::filterTextChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT selected(current.data(models::IdRole).toString());
            });
    // A click on the already-current row shows it again (the detail panel may show something else).
    connect(m_view, &QTreeView::clicked, this,
            [this](const QModelIndex &index) { Q_EMIT selected(index.data(models::IdRole).toString()); });
}

FilterableListWidget::~FilterableListWidget() = default;

QTreeView *FilterableListWidget::view() const
{
    return m_view;
}

QLineEdit *FilterableListWidget::filterEdit() const
{
    return m_filter;
}

QSortFilterProxyModel *FilterableListWidget::proxy() const
{
    return m_proxy;
}

void FilterableListWidget::addFilterWidget(QWidget *widget)
{
    widget->setParent(this);
    m_bar->addWidget(widget);
}

void FilterableListWidget::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void FilterableListWidget::select(const QString &id)
{
    const QModelIndexList found =
        m_source->match(m_source->index(0, 0), models::IdRole, id, 1, Qt::MatchExactly);
    if (found.isEmpty())
        return;
    const QModelIndex index = m_proxy->mapFromSource(found.front());
    if (!index.isValid())
        return;
    // Selecting the row that is already current changes nothing in the view; say so anyway, so the detail
    // panel shows it again.
    if (m_view->currentIndex().row() == index.row())
        Q_EMIT selected(id);
    else
        m_view->setCurrentIndex(index);
}

bool FilterableListWidget::isFilteredOut(const QString &id) const
{
    const QModelIndexList found =
        m_source->match(m_source->index(0, 0), models::IdRole, id, 1, Qt::MatchExactly);
    return !found.isEmpty() && !m_proxy->mapFromSource(found.front()).isValid();
}

void FilterableListWidget::setScope(const QString &text)
{
    m_scope->setText(text);
    m_scopeBar->setVisible(!text.isEmpty());
}

} // namespace adcp::gui

#pragma once

#include <QWidget>

class QAbstractItemModel;
class QFrame;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace adcp::gui {

// A list view as every list of the workbench has it, over `proxy` (whose source becomes `source`): sortable
// (nothing sorted until a header is clicked; the proxy's own sort role), flat, uniform rows, alternating
// colours, and "Copy id" (the row's IdRole) on its context menu. Object names "<name>View" and
// "<name>CopyId".
QTreeView *makeListView(QAbstractItemModel *source, QSortFilterProxyModel *proxy, const QString &name,
                        QWidget *parent);

// The shape every list of the workbench shares: a text filter (plus any extra filter controls) above a
// sortable tree view over a proxy of the list's model. Rows are identified by their IdRole; selecting one,
// by keyboard or click, says which.
class FilterableListWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterableListWidget)
public:
    struct Options
    {
        QString name;        // object-name stem: "<name>Filter", "<name>View"
        QString placeholder; // the filter's hint, with its shortcut
        int sortColumn = 0;  // initial sort, ascending
    };

    // The proxy's source is set to `source`; the proxy is not owned.
    FilterableListWidget(QAbstractItemModel *source, QSortFilterProxyModel *proxy, const Options &options,
                         QWidget *parent = nullptr);
    ~FilterableListWidget() override;

    QTreeView *view() const;
    QLineEdit *filterEdit() const;
    QSortFilterProxyModel *proxy() const;
    // Extra filter controls sit right of the text filter.
    void addFilterWidget(QWidget *widget);
    void focusFilter();
    // Makes the row whose IdRole is `id` current (nothing when unknown or filtered out).
    void select(const QString &id);
    // Whether the row whose IdRole is `id` exists but the proxy filters it out.
    bool isFilteredOut(const QString &id) const;
    // A line above the list that says which part of the list it shows (rich text), with "Show all" (object
    // names "<name>Scope", "<name>ShowAll"); an empty text hides the line.
    void setScope(const QString &text);

Q_SIGNALS:
    void filterTextChanged(const QString &text);
    void selected(const QString &id);
    // "Show all" was clicked.
    void scopeCleared();

private:
    QAbstractItemModel *m_source;
    QSortFilterProxyModel *m_proxy;
    QHBoxLayout *m_bar = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_view = nullptr;
    QFrame *m_scopeBar = nullptr;
    QLabel *m_scope = nullptr;
};

} // namespace adcp::gui

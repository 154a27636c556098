#pragma once

#include "focushold.h"

#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>

class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace adcp::gui {

class ErrorBanner;
class Workbench;

// The creative library of the account in use at the active agent (list_creatives): every creative the buyer
// synced, whether or not a buy still uses it, with its approval status, format and last change; filtered by
// status and by a part of the name, paged with "Load more". It reads the seller when it is first shown, and
// again when the account or the agent changes or creatives were uploaded while it is in sight.
class CreativeLibraryWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreativeLibraryWidget)
public:
    explicit CreativeLibraryWidget(Workbench *workbench, QWidget *parent = nullptr);
    ~CreativeLibraryWidget() override;

    // Reads the first page again with the filters as they are.
    void refresh();
    // Creatives a page asks for (tests page through a small library).
    void setPageSize(int creatives);
    void focusFilter();
    QTreeView *view() const;
    ErrorBanner *errorBanner() const;
    QPushButton *newCreativeButton() const;
    QPushButton *assignButton() const;
    // Runs the library's dialogs (New creative…, Assign to buys…); exec() when none is set.
    void setDialogRunner(std::function<int(QDialog *)> runner);
    // New creative…: uploads what the dialog describes to the library.
    void newCreative();
    // Assign to buys…: assigns the selected creative to the packages ticked.
    void assignSelected();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void markStale();
    void updateState();
    int runDialog(QDialog *dialog);
    // The selected creative (null when none is).
    nlohmann::json selectedCreative() const;

    Workbench *m_workbench;
    QLabel *m_title = nullptr;
    ErrorBanner *m_error = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLineEdit *m_nameFilter = nullptr;
    QPushButton *m_refresh = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_listState = nullptr;
    QPushButton *m_more = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_assign = nullptr;
    std::function<int(QDialog *)> m_runDialog;
    QString m_acting; // the library's own action in flight ("Upload creatives", "Assign creatives"), if any
    int m_pageSize = 50;
    bool m_stale = true;
    bool m_busy = false;
    FocusHold m_focusHold; // the library's buttons go off while a call runs
    bool m_reading = false;
};

} // namespace adcp::gui

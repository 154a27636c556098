#pragma once

#include <QWidget>

#include <nlohmann/json.hpp>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTreeView;

namespace adcp::gui {

class AgentManager;
class ErrorBanner;
class MainWindow;
class Workbench;

// The buyer's accounts at the active agent: list_accounts with a status filter and "Load more" paging,
// sync_accounts for an advertiser (brand, operator, billing) with each entry's outcome, the seller's setup
// message and link for a pending account, and the account every account-scoped request names.
class AccountsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountsPanel)
public:
    explicit AccountsPanel(Workbench *workbench, QWidget *parent = nullptr);
    ~AccountsPanel() override;

    // Fills the sync form (the remedy of an ACCOUNT_NOT_FOUND) and puts the cursor on its button.
    void prefillSync(const QString &brandDomain, const QString &operatorDomain);
    // Reads the first page again.
    void refresh();
    void setAgentName(const QString &name);
    ErrorBanner *errorBanner() const;
    QTreeView *view() const;

Q_SIGNALS:
    // The planner picked an account (null: back to no account).
    void accountChosen(const nlohmann::json &account);

private:
    QWidget *buildList();
    QWidget *buildSyncForm();
    void updateActive(const nlohmann::json &account);
    void updateSelection();
    void updateButtons();
    void useSelected();
    void sync();
    int selectedRow() const;

    Workbench *m_workbench;
    QLabel *m_title = nullptr;
    QLabel *m_active = nullptr;
    QPushButton *m_clear = nullptr;
    ErrorBanner *m_error = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QPushButton *m_refresh = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_listState = nullptr;
    QPushButton *m_more = nullptr;
    QPushButton *m_use = nullptr;
    QLabel *m_setup = nullptr;
    QPushButton *m_setupLink = nullptr;
    QLineEdit *m_brand = nullptr;
    QLineEdit *m_operator = nullptr;
    QComboBox *m_billing = nullptr;
    QPushButton *m_sync = nullptr;
    QLabel *m_syncResult = nullptr;
    bool m_busy = false;
    QString m_selectedKey; // the account last selected, selected again when the listing is read again
};

// Puts the panel in a dock of the window (hidden until asked for), an "Account" button on the agent bar that
// opens it and names the account in use, and the account remedies on the window's error banners. The pick is
// remembered per agent through `agents`.
AccountsPanel *installAccountsPanel(MainWindow *window, Workbench *workbench, AgentManager *agents);

} // namespace adcp::gui

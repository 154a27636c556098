#pragma once

#include <QPersistentModelIndex>
#include <QUrl>
#include <QWidget>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeView;
class QTreeWidget;

namespace adcp::models {
class ExchangeModel;
class ExchangeSortModel;
} // namespace adcp::models

namespace adcp::gui {

// Every exchange in one line; the selected one in full: request and response, headers (secrets masked by the
// transport), timing, schema issues at their JSON Pointers. Copy as cURL; save and reload the history.
class ExchangeInspector final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExchangeInspector)
public:
    explicit ExchangeInspector(models::ExchangeModel *model, QWidget *parent = nullptr);

    QTreeView *view() const;
    QLineEdit *filterEdit() const;
    QPlainTextEdit *requestView() const;
    QPlainTextEdit *responseView() const;
    QTreeWidget *issueView() const;
    QTreeWidget *headerView() const;
    QTabWidget *detailTabs() const;

    void showRow(int sourceRow);
    // The command masks the token; withSecret puts the real one in (only on the planner's explicit ask).
    // An in-process exchange is repeated against the embedded seller served on loopback (started on first use).
    QString curlForCurrent(bool withSecret = false);
    // Where in-process exchanges (the embedded seller) can be repeated over HTTP, and the bearer token that
    // calls it as the planner; an empty URL = nowhere, and Copy as cURL is not offered for them unless a
    // server is set below.
    void setLocalEndpoint(const QUrl &url, const QByteArray &token = {});
    // Serves the embedded seller on loopback the first time an in-process exchange is copied (fills the URL
    // and token; false with an error when it cannot).
    using LocalServer = std::function<bool(QUrl *url, QByteArray *token, QString *error)>;
    void setLocalServer(LocalServer serve);
    // The bearer token of the agent named `agent`, for "Copy with secret"; empty when unknown.
    void setSecretProvider(std::function<QByteArray(const QString &agent)> provider);
    QPushButton *copyCurlButton() const;
    QPushButton *copySecretButton() const;
    QCheckBox *backgroundToggle() const;
    bool saveHistory(const QString &path, QString *error = nullptr) const;
    bool loadHistory(const QString &path, QString *error = nullptr);
    void focusLog();

private:
    void showCurrent();
    void updateBackgroundCount();
    // Rows added and trimmed while the user reads must not move under them: the row at the top of the view
    // stays at the top; a view scrolled to its end follows the newest exchange instead.
    void holdScrollPosition();
    void restoreScrollPosition();

    models::ExchangeModel *m_model;
    models::ExchangeSortModel *m_proxy;
    // The exchange shown, by id: rows move when old exchanges are trimmed from the front, an id does not.
    quint64 m_currentId = 0;
    int currentRow() const;
    QPersistentModelIndex m_topRow; // of the view's model, remembered across a change of rows
    bool m_following = true;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_failuresOnly = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_heading = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_request = nullptr;
    QPlainTextEdit *m_response = nullptr;
    QTreeWidget *m_headers = nullptr;
    QTreeWidget *m_issues = nullptr;
    QPushButton *m_copyCurl = nullptr;
    QPushButton *m_copySecret = nullptr;
    QLabel *m_curlNote = nullptr;
    QCheckBox *m_background = nullptr;
    QUrl m_localEndpoint;
    QByteArray m_localToken;
    LocalServer m_localServer;
    std::function<QByteArray(const QString &)> m_secrets;
};

} // namespace adcp::gui

#pragma once

#include <QWidget>

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
    QString curlForCurrent() const;
    bool saveHistory(const QString &path, QString *error = nullptr) const;
    bool loadHistory(const QString &path, QString *error = nullptr);
    void focusLog();

private:
    void showCurrent();

    models::ExchangeModel *m_model;
    models::ExchangeSortModel *m_proxy;
    int m_current = -1;
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
};

} // namespace adcp::gui

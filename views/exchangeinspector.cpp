#include "exchangeinspector.h"

#include "exchangemodel.h"
#include "exchangesortmodel.h"
#include "modelroles.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTextDocumentFragment>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace adcp::gui {

using namespace adcp::models;

namespace {

QPlainTextEdit *codeView(QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    return view;
}

QString pretty(const nlohmann::json &value)
{
    if (value.is_null())
        return QString();
    return QString::fromStdString(value.dump(2));
}

} // namespace

ExchangeInspector::ExchangeInspector(ExchangeModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new ExchangeSortModel(this))
{
    setObjectName(QStringLiteral("exchangeInspector"));
    m_proxy->setSourceModel(model);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(left);
    m_filter->setObjectName(QStringLiteral("exchangeFilter"));
    m_filter->setPlaceholderText(tr("Filter by tool or result"));
    m_filter->setClearButtonEnabled(true);
    m_failuresOnly = new QCheckBox(tr("Failures"), left);
    m_background = new QCheckBox(left);
    m_background->setObjectName(QStringLiteral("backgroundToggle"));
    m_background->setToolTip(tr("Show the workbench's own status polling (get_media_buys, task follow-ups)"));
    auto *save = new QPushButton(tr("Save…"), left);
    save->setObjectName(QStringLiteral("saveHistoryButton"));
    auto *load = new QPushButton(tr("Load…"), left);
    load->setObjectName(QStringLiteral("loadHistoryButton"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_failuresOnly);
    bar->addWidget(m_background);
    bar->addWidget(save);
    bar->addWidget(load);
    leftLayout->addLayout(bar);
    m_view = new QTreeView(left);
    m_view->setObjectName(QStringLiteral("exchangeView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ExchangeModel::TimeColumn, Qt::AscendingOrder);
    m_view->setColumnWidth(ExchangeModel::TimeColumn, 70);
    m_view->setColumnWidth(ExchangeModel::ToolColumn, 150);
    m_view->setColumnWidth(ExchangeModel::ResultColumn, 170);
    m_view->setColumnWidth(ExchangeModel::DurationColumn, 70);
    leftLayout->addWidget(m_view, 1);

    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *head = new QHBoxLayout;
    m_heading = new QLabel(tr("Select an exchange to inspect it"), right);
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long heading (an agent's name, an error code) is cut at the pane's edge, whole in its tooltip: as its
    // own least width it widened the window past the screen.
    m_heading->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_heading->setMinimumWidth(0);
    head->addWidget(m_heading, 1);
    m_copyCurl = new QPushButton(tr("Copy as cURL"), right);
    m_copyCurl->setObjectName(QStringLiteral("copyCurlButton"));
    m_copyCurl->setEnabled(false);
    head->addWidget(m_copyCurl);
    m_copySecret = new QPushButton(tr("Copy with secret"), right);
    m_copySecret->setObjectName(QStringLiteral("copySecretButton"));
    m_copySecret->setToolTip(tr("Copies the command with the agent's real token: treat it as a password"));
    m_copySecret->setVisible(false);
    head->addWidget(m_copySecret);
    rightLayout->addLayout(head);
    m_curlNote = new QLabel(right);
    m_curlNote->setObjectName(QStringLiteral("curlNote"));
    m_curlNote->setWordWrap(true);
    m_curlNote->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_curlNote->hide();
    rightLayout->addWidget(m_curlNote);
    m_tabs = new QTabWidget(right);
    m_tabs->setDocumentMode(true);
    m_request = codeView(m_tabs);
    m_response = codeView(m_tabs);
    m_headers = new QTreeWidget(m_tabs);
    m_headers->setHeaderLabels({tr("Header"), tr("Value")});
    m_headers->setRootIsDecorated(true);
    m_issues = new QTreeWidget(m_tabs);
    m_issues->setObjectName(QStringLiteral("issueView"));
    m_issues->setHeaderLabels({tr("Where"), tr("JSON Pointer"), tr("Issue")});
    m_issues->setRootIsDecorated(false);
    m_tabs->addTab(m_request, tr("Request"));
    m_tabs->addTab(m_response, tr("Response"));
    m_tabs->addTab(m_headers, tr("Headers"));
    m_tabs->addTab(m_issues, tr("Schema issues"));
    rightLayout->addWidget(m_tabs, 1);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &ExchangeSortModel::setFilterText);
    connect(m_failuresOnly, &QCheckBox::toggled, m_proxy, &ExchangeSortModel::setFailuresOnly);
    connect(m_background, &QCheckBox::toggled, m_proxy, &ExchangeSortModel::setShowBackground);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ExchangeInspector::updateBackgroundCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ExchangeInspector::updateBackgroundCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ExchangeInspector::updateBackgroundCount);
    updateBackgroundCount();
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_currentId =
                    current.isValid() ? m_model->exchangeId(m_proxy->mapToSource(current).row()) : 0;
                showCurrent();
            });
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = currentRow();
                if (row >= topLeft.row() && row <= bottomRight.row())
                    showCurrent();
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_currentId = 0;
        showCurrent();
    });
    // The exchange shown was trimmed away: say so instead of showing whatever took its row.
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (m_currentId != 0 && currentRow() < 0) {
            m_currentId = 0;
            showCurrent();
        }
    });
    // The newest exchange stays in sight while the view is at its end; elsewhere nothing moves.
    for (const auto about :
         {&QAbstractItemModel::rowsAboutToBeInserted, &QAbstractItemModel::rowsAboutToBeRemoved})
        connect(m_proxy, about, this, &ExchangeInspector::holdScrollPosition);
    for (const auto done : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, done, this, &ExchangeInspector::restoreScrollPosition);
    connect(m_copyCurl, &QPushButton::clicked, this, [this] {
        const QString command = curlForCurrent();
        const adcp::Exchange *exchange = m_model->exchange(currentRow());
        if (command.isEmpty()) {
            m_curlNote->setText(tr("Nothing copied: the embedded seller could not be served on loopback."));
            m_curlNote->show();
            return;
        }
        QApplication::clipboard()->setText(command);
        if (exchange && exchange->meta.url.isEmpty() && exchange->meta.transport == QLatin1String("in-process")) {
            m_curlNote->setText(tr("Copied. It calls the embedded seller, served for this session at %1 as the "
                                   "planner (the token in it works on this machine until the workbench closes).")
                                    .arg(m_localEndpoint.toString()));
            m_curlNote->show();
            return;
        }
        const bool masked = exchange && std::any_of(exchange->meta.requestHeaders.cbegin(),
                                                    exchange->meta.requestHeaders.cend(), [](const auto &h) {
                                                        return h.second.contains("****");
                                                    });
        m_curlNote->setText(masked ? tr("Copied. The token is not in it: set ADCP_TOKEN to the agent's token "
                                        "first (export ADCP_TOKEN=…), or use “Copy with secret”.")
                                   : tr("Copied."));
        m_curlNote->show();
    });
    connect(m_copySecret, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(curlForCurrent(true));
        m_curlNote->setText(tr("Copied with the real token. Do not paste it where others can read it."));
        m_curlNote->show();
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save exchange history"), QString(),
                                                          tr("Exchange history (*.json)"));
        QString error;
        if (!path.isEmpty() && !saveHistory(path, &error))
            QMessageBox::warning(this, tr("Save exchange history"), error);
    });
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load exchange history"), QString(),
                                                          tr("Exchange history (*.json)"));
        QString error;
        if (!path.isEmpty() && !loadHistory(path, &error))
            QMessageBox::warning(this, tr("Load exchange history"), error);
    });
}

QTreeView *ExchangeInspector::view() const
{
    return m_view;
}

QLineEdit *ExchangeInspector::filterEdit() const
{
    return m_filter;
}

QPlainTextEdit *ExchangeInspector::requestView() const
{
    return m_request;
}

QPlainTextEdit *ExchangeInspector::responseView() const
{
    return m_response;
}

QTreeWidget *ExchangeInspector::issueView() const
{
    return m_issues;
}

QTreeWidget *ExchangeInspector::headerView() const
{
    return m_headers;
}

QTabWidget *ExchangeInspector::detailTabs() const
{
    return m_tabs;
}

void ExchangeInspector::showRow(int sourceRow)
{
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (index.isValid())
        m_view->setCurrentIndex(index);
}

int ExchangeInspector::currentRow() const
{
    return m_currentId != 0 ? m_model->rowOfId(m_currentId) : -1;
}

void ExchangeInspector::holdScrollPosition()
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    m_following = bar->value() >= bar->maximum();
    // Between two changes of one add (an insert, then a trim) the view has not laid itself out again and
    // finds no row at its top: the row remembered before, a persistent index, is still the one.
    if (const QModelIndex top = m_view->indexAt(QPoint(1, 1)); top.isValid())
        m_topRow = top;
}

void ExchangeInspector::restoreScrollPosition()
{
    if (m_following)
        m_view->scrollToBottom();
    else if (m_topRow.isValid())
        m_view->scrollTo(m_topRow, QAbstractItemView::PositionAtTop);
}

void ExchangeInspector::showCurrent()
{
    const adcp::Exchange *exchange = m_model->exchange(currentRow());
    m_request->clear();
    m_response->clear();
    m_headers->clear();
    m_issues->clear();
    // A command is offered only where it can run: an HTTP agent, or the embedded seller behind --serve.
    const bool inProcess = exchange && exchange->meta.url.isEmpty() &&
                           exchange->meta.transport == QLatin1String("in-process");
    const bool runnable = exchange && (!inProcess || m_localEndpoint.isValid() || m_localServer);
    m_copyCurl->setEnabled(runnable);
    m_copyCurl->setToolTip(
        inProcess && !runnable
            ? tr("The embedded seller runs inside the workbench and listens on no HTTP port; start the "
                 "workbench with --serve to call it with curl.")
            : tr("Copies a curl command; the token is read from $ADCP_TOKEN unless you use “Copy with secret”."));
    const bool hasToken =
        exchange && std::any_of(exchange->meta.requestHeaders.cbegin(), exchange->meta.requestHeaders.cend(),
                                [](const auto &h) {
                                    return QString::fromLatin1(h.first).compare(QLatin1String("authorization"),
                                                                                Qt::CaseInsensitive) == 0;
                                });
    m_copySecret->setVisible(runnable && hasToken && m_secrets && !m_secrets(exchange->agent).isEmpty());
    m_curlNote->hide();
    if (!exchange) {
        m_heading->setText(tr("Select an exchange to inspect it"));
        return;
    }
    QString heading =
        QStringLiteral("<b>%1</b> · %2 · %3 · %4 ms")
            .arg(exchange->tool.toHtmlEscaped(), exchange->agent.toHtmlEscaped(),
                 exchange->meta.transport.isEmpty() ? tr("transport ?") : exchange->meta.transport)
            .arg(exchange->elapsedMs);
    if (exchange->meta.httpStatus > 0)
        heading += QStringLiteral(" · HTTP %1").arg(exchange->meta.httpStatus);
    if (exchange->error)
        heading += QStringLiteral(" · <span style='color:#c2410c'>%1</span>")
                       .arg(QString::fromStdString(exchange->error->code).toHtmlEscaped());
    m_heading->setText(heading);
    m_heading->setToolTip(QTextDocumentFragment::fromHtml(heading).toPlainText());
    m_request->setPlainText(pretty(exchange->request));
    m_response->setPlainText(exchange->error && exchange->response.is_null()
                                 ? pretty(nlohmann::json{{"adcp_error", exchange->error->toJson()}})
                                 : pretty(exchange->response));
    auto *sent = new QTreeWidgetItem(m_headers, {tr("Request"), exchange->meta.url.toString()});
    for (const auto &header : exchange->meta.requestHeaders)
        new QTreeWidgetItem(sent, {QString::fromLatin1(header.first), QString::fromLatin1(header.second)});
    auto *received = new QTreeWidgetItem(m_headers, {tr("Response"), QString()});
    for (const auto &header : exchange->meta.responseHeaders)
        new QTreeWidgetItem(received,
                            {QString::fromLatin1(header.first), QString::fromLatin1(header.second)});
    m_headers->expandAll();
    for (const auto &issue : exchange->requestIssues)
        new QTreeWidgetItem(m_issues, {tr("request"),
                                       QString::fromStdString(issue.pointer.empty() ? "/" : issue.pointer),
                                       QString::fromStdString(issue.message)});
    for (const auto &issue : exchange->responseIssues)
        new QTreeWidgetItem(m_issues, {tr("response"),
                                       QString::fromStdString(issue.pointer.empty() ? "/" : issue.pointer),
                                       QString::fromStdString(issue.message)});
    if (exchange->error) {
        for (const auto &issue : exchange->error->issues)
            new QTreeWidgetItem(m_issues, {tr("error"), QString::fromStdString(issue.pointer),
                                           QString::fromStdString(issue.message)});
    }
    const int issues = m_issues->topLevelItemCount();
    m_tabs->setTabText(3, issues > 0 ? tr("Schema issues (%1)").arg(issues) : tr("Schema issues"));
    m_issues->resizeColumnToContents(1);
}

QString ExchangeInspector::curlForCurrent(bool withSecret)
{
    const adcp::Exchange *exchange = m_model->exchange(currentRow());
    if (!exchange)
        return QString();
    if (exchange->meta.url.isEmpty() && exchange->meta.transport == QLatin1String("in-process")) {
        QString error;
        if (!m_localEndpoint.isValid() && m_localServer &&
            !m_localServer(&m_localEndpoint, &m_localToken, &error)) {
            m_localEndpoint = QUrl();
            return QString();
        }
        // The in-window server's token: made for this session, accepted on loopback only.
        adcp::Exchange local = *exchange;
        if (!m_localToken.isEmpty())
            local.meta.requestHeaders.append({QByteArrayLiteral("Authorization"), "Bearer " + m_localToken});
        return curlCommand(local, m_localEndpoint);
    }
    const QByteArray token = withSecret && m_secrets ? m_secrets(exchange->agent) : QByteArray();
    return curlCommand(*exchange, m_localEndpoint, token);
}

void ExchangeInspector::setLocalEndpoint(const QUrl &url, const QByteArray &token)
{
    m_localEndpoint = url;
    m_localToken = token;
    showCurrent();
}

void ExchangeInspector::setLocalServer(LocalServer serve)
{
    m_localServer = std::move(serve);
    showCurrent();
}

void ExchangeInspector::setSecretProvider(std::function<QByteArray(const QString &)> provider)
{
    m_secrets = std::move(provider);
    showCurrent();
}

QPushButton *ExchangeInspector::copyCurlButton() const
{
    return m_copyCurl;
}

QPushButton *ExchangeInspector::copySecretButton() const
{
    return m_copySecret;
}

QCheckBox *ExchangeInspector::backgroundToggle() const
{
    return m_background;
}

void ExchangeInspector::updateBackgroundCount()
{
    m_background->setText(tr("Background polling (%1)").arg(m_model->backgroundTotal()));
    m_background->setToolTip(tr("The workbench's own status refreshes: %1 this session, the latest %2 kept")
                                 .arg(m_model->backgroundTotal())
                                 .arg(m_model->backgroundLimit()));
}

bool ExchangeInspector::saveHistory(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const std::string text = m_model->toJson().dump(2);
    file.write(text.data(), static_cast<qint64>(text.size()));
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

bool ExchangeInspector::loadHistory(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const nlohmann::json document = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (document.is_discarded()) {
        if (error)
            *error = tr("%1 is not JSON.").arg(path);
        return false;
    }
    return m_model->fromJson(document, error);
}

void ExchangeInspector::focusLog()
{
    // Pressed again from the list: its filter, to narrow the log by typing.
    if (m_view->hasFocus()) {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
        return;
    }
    m_view->setFocus(Qt::ShortcutFocusReason);
    if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
        m_view->setCurrentIndex(m_proxy->index(m_proxy->rowCount() - 1, 0));
}

} // namespace adcp::gui

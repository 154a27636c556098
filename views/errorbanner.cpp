#include "errorbanner.h"

#include "displaynames.h"

#include "accountmodel.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QUrl>

namespace adcp::gui {

ErrorBanner::ErrorBanner(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("errorBanner"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 6, 6);
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::RichText);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_label, 1);
    m_remedyButton = new QPushButton(this);
    m_remedyButton->setObjectName(QStringLiteral("remedyButton"));
    layout->addWidget(m_remedyButton, 0, Qt::AlignTop);
    m_closeButton = new QPushButton(tr("Dismiss"), this);
    m_closeButton->setFlat(true);
    layout->addWidget(m_closeButton, 0, Qt::AlignTop);
    connect(m_remedyButton, &QPushButton::clicked, this, [this] {
        // The link is the whole remedy: the banner opens it itself, in the planner's browser.
        if (m_remedy == Remedy::OpenSetupLink && !m_setupUrl.isEmpty())
            QDesktopServices::openUrl(QUrl(m_setupUrl));
        Q_EMIT remedyRequested(m_remedy);
    });
    connect(m_closeButton, &QPushButton::clicked, this, &ErrorBanner::clearError);
    hide();
}

ErrorBanner::Remedy ErrorBanner::remedyFor(const adcp::AdcpError &error)
{
    if (error.code == "ACCOUNT_SETUP_REQUIRED" && !models::AccountModel::setupUrlOf(error.details).isEmpty())
        return Remedy::OpenSetupLink;
    // Before the recovery class: ACCOUNT_NOT_FOUND is terminal, yet registering the account fixes it.
    if (error.code == "ACCOUNT_NOT_FOUND" || error.code == "ACCOUNT_SETUP_REQUIRED" ||
        error.code == "ACCOUNT_AMBIGUOUS")
        return Remedy::OpenAccounts;
    if (error.code == "PROPOSAL_NOT_COMMITTED")
        return Remedy::FinalizeAndRetry;
    if (error.code == "CONFLICT")
        return Remedy::ReloadLatest;
    if (error.recovery == adcp::Recovery::Transient)
        return Remedy::Retry;
    return Remedy::None;
}

void ErrorBanner::showError(const adcp::AdcpError &error, const QString &action)
{
    m_code = QString::fromStdString(error.code);
    m_remedy = remedyFor(error);
    m_setupUrl = models::AccountModel::setupUrlOf(error.details);
    // The recovery class in the planner's words (the spec's own term stays in the tooltip).
    const QString recovery = error.recovery == adcp::Recovery::Transient ? tr("try again later")
                             : error.recovery == adcp::Recovery::Terminal
                                 ? tr("cannot succeed as sent")
                                 : tr("change the request and send it again");
    m_label->setToolTip(tr("Recovery: %1").arg(QString::fromLatin1(adcp::toString(error.recovery).data())));
    QString html = QStringLiteral("<b>%1</b> %2 <span style='color:#9a3412'>— %3</span><br>%4")
                       .arg(m_code.toHtmlEscaped(), tr("on %1").arg(action).toHtmlEscaped(),
                            recovery.toHtmlEscaped(), QString::fromStdString(error.message).toHtmlEscaped());
    if (error.field) {
        // In words first ("purchase 2 › budget"), the path as sent after it.
        const QString path = QString::fromStdString(*error.field);
        const QString words = models::fieldLabel(path);
        html += QStringLiteral("<br>") +
                (words == path
                     ? tr("Field: <code>%1</code>").arg(path.toHtmlEscaped())
                     : tr("Field: %1 <code>(%2)</code>").arg(words.toHtmlEscaped(), path.toHtmlEscaped()));
    }
    if (error.suggestion)
        html += QStringLiteral("<br>") +
                tr("Suggestion: %1").arg(QString::fromStdString(*error.suggestion).toHtmlEscaped());
    for (const auto &issue : error.issues)
        html += QStringLiteral("<br>· <code>%1</code> %2")
                    .arg(QString::fromStdString(issue.pointer).toHtmlEscaped(),
                         QString::fromStdString(issue.message).toHtmlEscaped());
    m_label->setText(html);
    m_remedyButton->setToolTip(QString());
    switch (m_remedy) {
    case Remedy::FinalizeAndRetry:
        m_remedyButton->setText(tr("Finalize and retry"));
        break;
    case Remedy::ReloadLatest:
        m_remedyButton->setText(tr("Reload latest version"));
        break;
    case Remedy::Retry:
        m_remedyButton->setText(tr("Retry"));
        break;
    case Remedy::OpenAccounts:
        m_remedyButton->setText(error.code == "ACCOUNT_NOT_FOUND"   ? tr("Set up account…")
                                : error.code == "ACCOUNT_AMBIGUOUS" ? tr("Choose account…")
                                                                    : tr("Check account…"));
        break;
    case Remedy::OpenSetupLink:
        m_remedyButton->setText(tr("Open setup link"));
        m_remedyButton->setToolTip(m_setupUrl);
        break;
    case Remedy::None:
        break;
    }
    m_remedyButton->setVisible(m_remedy != Remedy::None);
    show();
}

void ErrorBanner::clearError()
{
    m_code.clear();
    m_setupUrl.clear();
    m_remedy = Remedy::None;
    m_label->clear();
    m_label->setToolTip(QString());
    hide();
}

ErrorBanner::Remedy ErrorBanner::remedy() const
{
    return m_remedy;
}

QString ErrorBanner::code() const
{
    return m_code;
}

QString ErrorBanner::text() const
{
    return m_label->text();
}

QPushButton *ErrorBanner::remedyButton() const
{
    return m_remedyButton;
}

QString ErrorBanner::setupUrl() const
{
    return m_setupUrl;
}

} // namespace adcp::gui

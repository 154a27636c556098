#include "agentsecurity.h"

#include "agentmanager.h"
#include "transports/replyguard.h"

#include <QApplication>
#include <QBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QToolBar>

namespace adcp::gui {

adcp::ForeignOriginHandler foreignOriginQuestion()
{
    return [](const QUrl &agentUrl, const QUrl &target, std::function<void(bool)> answer) {
        auto *box =
            new QMessageBox(QMessageBox::Warning, QObject::tr("Send the token elsewhere?"),
                            QObject::tr("The agent at %1 wants its calls sent to %2, another origin.\n\n"
                                        "Allowing it sends your bearer token there as well.")
                                .arg(agentUrl.adjusted(QUrl::RemovePath | QUrl::RemoveQuery).toString(),
                                     target.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toString()),
                            QMessageBox::Yes | QMessageBox::No, QApplication::activeWindow());
        box->setObjectName(QStringLiteral("foreignOriginQuestion"));
        box->setDefaultButton(QMessageBox::No);
        box->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(box, &QMessageBox::finished, box,
                         [answer = std::move(answer)](int result) { answer(result == QMessageBox::Yes); });
        box->open();
    };
}

void installPlainHttpWarning(QToolBar *agentBar, AgentManager *manager)
{
    if (!agentBar || !manager)
        return;
    auto *warning = new QLabel(QObject::tr("⚠ plain http"), agentBar);
    warning->setObjectName(QStringLiteral("plainHttpWarning"));
    warning->setStyleSheet(QStringLiteral("color:#b45309; font-weight:bold"));
    warning->setContentsMargins(8, 0, 8, 0);
    warning->setToolTip(QObject::tr("This agent is reached over plain http outside this computer: requests, "
                                    "answers and the bearer token travel unencrypted."));
    QAction *action = agentBar->addWidget(warning);
    action->setVisible(false);
    QObject::connect(manager, &AgentManager::activated, warning, [manager, action](const QString &id) {
        bool insecure = false;
        for (const AgentProfile &profile : manager->profiles()) {
            if (profile.id == id)
                insecure = adcp::isPlainHttpOutsideLoopback(profile.url);
        }
        action->setVisible(insecure);
    });
}

void installPlainHttpHint(QLineEdit *urlEdit, QBoxLayout *layout)
{
    auto *hint =
        new QLabel(QObject::tr("⚠ Plain http outside this computer: requests, answers and the bearer "
                               "token travel unencrypted. Prefer https."),
                   urlEdit->parentWidget());
    hint->setObjectName(QStringLiteral("plainHttpHint"));
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color:#b45309"));
    hint->setVisible(false);
    layout->addWidget(hint);
    QObject::connect(urlEdit, &QLineEdit::textChanged, hint, [hint](const QString &text) {
        hint->setVisible(adcp::isPlainHttpOutsideLoopback(QUrl(text.trimmed())));
    });
}

QString requestSigningSummary(const nlohmann::json &capabilities, const QString &keyId)
{
    const auto block = capabilities.is_object() ? capabilities.find("request_signing") : capabilities.end();
    const bool verifies = block != capabilities.end() && block->is_object() &&
                          block->value("supported", nlohmann::json()) == nlohmann::json(true);
    if (!verifies)
        return keyId.isEmpty()
                   ? QObject::tr("not verified by this agent; calls carry the bearer token only")
                   : QObject::tr("not verified by this agent; calls carry the bearer token only (this "
                                 "profile's key is not used)");
    const nlohmann::json digest = block->value("covers_content_digest", nlohmann::json());
    QStringList required;
    if (const auto list = block->find("required_for"); list != block->end() && list->is_array()) {
        for (const auto &operation : *list)
            if (operation.is_string())
                required << QString::fromStdString(operation.get<std::string>());
    }
    QString text =
        QObject::tr("verified by this agent (content-digest %1); %2")
            .arg(digest.is_string() ? QString::fromStdString(digest.get<std::string>())
                                    : QObject::tr("not stated"),
                 required.isEmpty()
                     ? QObject::tr("no operation is refused unsigned")
                     : QObject::tr("refused unsigned: %1").arg(required.join(QStringLiteral(", "))));
    if (!keyId.isEmpty())
        return text + QObject::tr("; this profile signs every call with key %1").arg(keyId);
    if (!required.isEmpty())
        return text + QObject::tr("; this profile has no key, so those operations are refused until you "
                                  "generate one and the seller registers its JWKS");
    return text + QObject::tr("; this profile has no key (calls go unsigned)");
}

} // namespace adcp::gui

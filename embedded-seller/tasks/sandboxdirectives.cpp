#include "sandboxdirectives.h"

#include "storage/database.h"

#include <QSqlQuery>

namespace adcp::seller {

using storage::execute;
using storage::qs;

bool SandboxDirectives::setCreateArm(QSqlDatabase &db, const std::string &principalId, const CreateArm &arm,
                                     const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(
        q,
        QStringLiteral("INSERT INTO sandbox_create_arm (principal_id, arm, task_id, message, "
                       "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (principal_id) DO UPDATE SET "
                       "arm = excluded.arm, task_id = excluded.task_id, message = excluded.message, "
                       "created_at = excluded.created_at"),
        {qs(principalId), qs(arm.arm), qs(arm.taskId), qs(arm.message), storage::isoTimeMs(now)}, error);
}

std::optional<SandboxDirectives::CreateArm>
SandboxDirectives::pendingCreateArm(QSqlDatabase &db, const std::string &principalId)
{
    QString error;
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(
            q, QStringLiteral("SELECT arm, task_id, message FROM sandbox_create_arm WHERE principal_id = ?"),
            {qs(principalId)}, &error) ||
        !q.next())
        return std::nullopt;
    return CreateArm{storage::ss(q.value(0).toString()), storage::ss(q.value(1).toString()),
                     storage::ss(q.value(2).toString())};
}

bool SandboxDirectives::consumeCreateArm(QSqlDatabase &db, const std::string &principalId, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(q, QStringLiteral("DELETE FROM sandbox_create_arm WHERE principal_id = ?"),
                   {qs(principalId)}, error);
}

bool SandboxDirectives::setProductsArm(QSqlDatabase &db, const std::string &principalId,
                                       const ProductsArm &arm, const QDateTime &now, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(
        q,
        QStringLiteral("INSERT INTO sandbox_products_arm (principal_id, arm, task_id, message, reason, "
                       "suggestions_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                       "(principal_id) DO UPDATE SET arm = excluded.arm, task_id = excluded.task_id, "
                       "message = excluded.message, reason = excluded.reason, suggestions_json = "
                       "excluded.suggestions_json, created_at = excluded.created_at"),
        {qs(principalId), qs(arm.arm), qs(arm.taskId), qs(arm.message), qs(arm.reason),
         storage::toText(nlohmann::json(arm.suggestions)), storage::isoTimeMs(now)},
        error);
}

std::optional<SandboxDirectives::ProductsArm>
SandboxDirectives::pendingProductsArm(QSqlDatabase &db, const std::string &principalId)
{
    QString error;
    QSqlQuery q(storage::connectionFor(db));
    if (!execute(q,
                 QStringLiteral("SELECT arm, task_id, message, reason, suggestions_json FROM "
                                "sandbox_products_arm WHERE principal_id = ?"),
                 {qs(principalId)}, &error) ||
        !q.next())
        return std::nullopt;
    ProductsArm arm{storage::ss(q.value(0).toString()),
                    storage::ss(q.value(1).toString()),
                    storage::ss(q.value(2).toString()),
                    storage::ss(q.value(3).toString()),
                    {}};
    // The row is ours, but a database is untrusted input too: anything but a list of strings is no
    // suggestions.
    const auto suggestions = nlohmann::json::parse(q.value(4).toString().toStdString(), nullptr, false);
    if (suggestions.is_array()) {
        for (const auto &s : suggestions) {
            if (s.is_string())
                arm.suggestions.push_back(s.get<std::string>());
        }
    }
    return arm;
}

bool SandboxDirectives::consumeProductsArm(QSqlDatabase &db, const std::string &principalId, QString *error)
{
    QSqlQuery q(storage::connectionFor(db));
    return execute(q, QStringLiteral("DELETE FROM sandbox_products_arm WHERE principal_id = ?"),
                   {qs(principalId)}, error);
}

} // namespace adcp::seller

#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <string>

namespace adcp::seller {

// Directives a sandbox account registers through comply_test_controller for its own next call
// (force_create_media_buy_arm): the next create_media_buy of that principal answers with the forced arm.
// Kept in the database so a directive survives a restart until it is consumed.
class SandboxDirectives final
{
public:
    struct CreateArm
    {
        std::string arm; // "submitted"
        std::string taskId;
        std::string message;
    };

    static bool setCreateArm(QSqlDatabase &db, const std::string &principalId, const CreateArm &arm,
                             const QDateTime &now, QString *error);
    static std::optional<CreateArm> pendingCreateArm(QSqlDatabase &db, const std::string &principalId);
    // Removes the directive (call inside the transaction that stores the order it shaped).
    static bool consumeCreateArm(QSqlDatabase &db, const std::string &principalId, QString *error);

private:
    static bool ensureTable(QSqlDatabase &db, QString *error);
};

} // namespace adcp::seller

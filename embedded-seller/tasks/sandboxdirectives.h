#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace adcp::seller {

// Directives a sandbox account registers through comply_test_controller for its own next call
// (force_create_media_buy_arm, force_get_products_arm): the next create_media_buy or get_products of that
// principal answers with the forced arm. Kept in the database so a directive survives a restart until it is
// consumed.
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

    // force_get_products_arm: the next brief or refine get_products answers `submitted` (under task_id; the
    // controller's force_task_completion then records the result it is given) or `rejected` (with reason and
    // suggestions).
    struct ProductsArm
    {
        std::string arm; // "submitted" or "rejected"
        std::string taskId;
        std::string message;
        std::string reason;
        std::vector<std::string> suggestions;
    };

    static bool setProductsArm(QSqlDatabase &db, const std::string &principalId, const ProductsArm &arm,
                               const QDateTime &now, QString *error);
    static std::optional<ProductsArm> pendingProductsArm(QSqlDatabase &db, const std::string &principalId);
    static bool consumeProductsArm(QSqlDatabase &db, const std::string &principalId, QString *error);
};

} // namespace adcp::seller

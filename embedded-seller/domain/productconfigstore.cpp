#include "productconfigstore.h"

#include "storage/database.h"

#include <QSqlDatabase>

namespace adcp::seller {

DatabaseProductConfigStore::DatabaseProductConfigStore(std::function<QString()> connectionName)
    : m_connectionName(std::move(connectionName))
{}

ProductConfigLookup DatabaseProductConfigStore::lookup(const std::vector<std::string> &productIds)
{
    ProductConfigLookup result;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName());
    for (const auto &id : productIds) {
        QString error;
        storage::Read q(db, QStringLiteral("SELECT implementation_config FROM products WHERE product_id = ?"),
                        {storage::qs(id)}, &error);
        if (!q) {
            result.ok = false;
            result.error = storage::ss(error);
            result.configs.clear();
            return result;
        }
        if (q.next() && !q.value(0).isNull()) {
            auto config = storage::fromText(q.value(0).toString());
            if (!config.is_null())
                result.configs.emplace(id, std::move(config));
        }
    }
    return result;
}

} // namespace adcp::seller

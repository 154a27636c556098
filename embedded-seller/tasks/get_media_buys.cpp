#include "taskcontext.h"

#include "domain/mediabuystore.h"
#include "monitoring/mediabuyview.h"
#include "storage/database.h"
#include "wire/jsonread.h"

#include <QByteArray>
#include <QSqlQuery>

#include <algorithm>
#include <optional>

namespace adcp::seller {

using nlohmann::json;

namespace {

// "<position>:<media_buy_id of the last buy returned>", base64url.
std::string encodeCursor(size_t next, const std::string &lastId)
{
    const QByteArray raw = QByteArray::number(qulonglong(next)) + ':' + QByteArray::fromStdString(lastId);
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString();
}

std::optional<size_t> decodeCursor(const std::string &cursor, const std::vector<std::string> &ids)
{
    const auto decoded = QByteArray::fromBase64Encoding(QByteArray::fromStdString(cursor),
                                                        QByteArray::Base64UrlEncoding |
                                                            QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray raw = *decoded;
    const qsizetype colon = raw.indexOf(':');
    bool ok = false;
    const qulonglong position = raw.left(colon).toULongLong(&ok);
    if (colon <= 0 || !ok || position == 0)
        return std::nullopt;
    const std::string lastId = raw.mid(colon + 1).toStdString();
    const auto found = std::find(ids.begin(), ids.end(), lastId);
    if (found != ids.end())
        return size_t(found - ids.begin()) + 1;
    return std::min<size_t>(position, ids.size());
}

} // namespace

adcp::ToolOutcome getMediaBuys(TaskContext &task, const json &args)
{
    QString error;
    std::vector<std::string> ids;
    if (auto it = args.find("media_buy_ids"); it != args.end() && it->is_array()) {
        for (const auto &id : *it) {
            if (id.is_string())
                ids.push_back(id.get<std::string>());
        }
    } else {
        // Without ids the spec's default filter is ["active"].
        std::vector<std::string> statuses{"active"};
        if (auto filter = args.find("status_filter"); filter != args.end()) {
            statuses.clear();
            if (filter->is_string())
                statuses.push_back(filter->get<std::string>());
            else if (filter->is_array()) {
                for (const auto &s : *filter) {
                    if (s.is_string())
                        statuses.push_back(s.get<std::string>());
                }
            }
        }
        ids = MediaBuyStore::list(task.db, task.principal.id, statuses, &error);
        if (task.account)
            std::erase_if(ids, [&](const std::string &id) {
                return !AccountStore::mediaBuyVisible(task.db, task.principal.id, id,
                                                      task.account->accountId);
            });
    }
    // Pagination (pagination-request/-response): an id lookup is one terminal page; a listing pages through
    // the principal's buys in creation order. The opaque cursor names the last buy of the previous page, so a
    // buy created meanwhile (appended at the end) neither shifts nor repeats a page; the position is the
    // fallback when that buy has left the filter since.
    const wire::JsonRef pagination = wire::JsonRef(args)["pagination"];
    const bool lookup = args.contains("media_buy_ids") && args["media_buy_ids"].is_array();
    size_t first = 0;
    size_t count = ids.size();
    if (!lookup) {
        count = size_t(pagination["max_results"].integer(1, 100).valueOr(50));
        if (const auto cursor = pagination["cursor"].string(1024); !cursor.isAbsent()) {
            const auto start = cursor ? decodeCursor(*cursor, ids) : std::nullopt;
            if (!start)
                return failure("INVALID_REQUEST", "pagination.cursor is not a cursor of this listing",
                               "pagination.cursor", "start again without a cursor");
            first = *start;
        }
    }
    const size_t last = std::min(ids.size(), first + count);
    json result = {{"media_buys", json::array()},
                   {"pagination", {{"has_more", last < ids.size()}, {"total_count", ids.size()}}}};
    if (last < ids.size())
        result["pagination"]["cursor"] = encodeCursor(last, ids[last - 1]);
    ids = std::vector<std::string>(ids.begin() + static_cast<std::ptrdiff_t>(first),
                                   ids.begin() + static_cast<std::ptrdiff_t>(last));
    for (const auto &id : ids) {
        json buy = MediaBuyStore::find(task.db, task.principal.id, id, &error);
        std::string owner = task.principal.id;
        // Another account's buy is as unknown as a foreign one.
        if (task.account &&
            !AccountStore::mediaBuyVisible(task.db, task.principal.id, id, task.account->accountId))
            buy = nullptr;
        if (buy.is_null() && task.options.breaks("leak-foreign-buy")) {
            // Broken on purpose: whoever owns the id, its buy is shown.
            QSqlQuery q(storage::connectionFor(task.db));
            q.prepare(QStringLiteral("SELECT principal_id FROM media_buys WHERE media_buy_id = ?"));
            q.addBindValue(QString::fromStdString(id));
            if (q.exec() && q.next()) {
                owner = q.value(0).toString().toStdString();
                buy = MediaBuyStore::find(task.db, owner, id, &error);
            }
        }
        if (buy.is_null()) {
            // Unknown and foreign ids look the same.
            result["errors"].push_back(
                adcp::AdcpError::make("MEDIA_BUY_NOT_FOUND", "no such media buy", "media_buy_ids").toJson());
            continue;
        }
        decorateMediaBuy(task.db, owner, buy, args, task.now);
        if (task.options.breaks("hide-impairments")) {
            // Broken on purpose: the snapshot no longer says what its dependencies are doing.
            buy["health"] = "ok";
            buy["impairments"] = json::array();
        }
        result["media_buys"].push_back(std::move(buy));
    }
    if (lookup)
        result["pagination"]["total_count"] = result["media_buys"].size();
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its media buys: " + error.toStdString());
    return adcp::ToolOutcome::success(std::move(result));
}

} // namespace adcp::seller

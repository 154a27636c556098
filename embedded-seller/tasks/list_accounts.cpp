#include "taskcontext.h"

#include "domain/accountstore.h"

#include <QByteArray>

#include <algorithm>

namespace adcp::seller {

using nlohmann::json;

namespace {

// The cursor names the last account of the previous page, so an account added meanwhile (appended at the
// end) neither shifts nor repeats a page.
std::string encodeCursor(const std::string &lastId)
{
    return QByteArray::fromStdString("acc:" + lastId)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
        .toStdString();
}

std::optional<std::string> decodeCursor(const std::string &cursor)
{
    const auto decoded = QByteArray::fromBase64Encoding(QByteArray::fromStdString(cursor),
                                                        QByteArray::Base64UrlEncoding |
                                                            QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || !(*decoded).startsWith("acc:"))
        return std::nullopt;
    return (*decoded).mid(4).toStdString();
}

bool keep(const Account &a, const json &args)
{
    if (args.contains("status") && a.status != args["status"].get<std::string>())
        return false;
    if (args.contains("sandbox") && a.sandbox != args["sandbox"].get<bool>())
        return false;
    if (!args.contains("account"))
        return true;
    const json &ref = args["account"];
    if (ref.contains("account_id"))
        return a.accountId == ref["account_id"].get<std::string>();
    return a.naturalKey() == NaturalKey::fromJson(ref).text();
}

} // namespace

// The caller's accounts only (another principal's never show), oldest first, filtered and paged.
adcp::ToolOutcome listAccounts(TaskContext &task, const json &args)
{
    QString error;
    std::vector<Account> matching;
    for (auto &a : AccountStore::list(task.db, task.principal.id, &error)) {
        if (keep(a, args))
            matching.push_back(std::move(a));
    }
    if (!error.isEmpty())
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its accounts: " + error.toStdString());
    const json pagination = args.value("pagination", json::object());
    const size_t count = pagination.value("max_results", 50);
    size_t first = 0;
    if (pagination.contains("cursor")) {
        const auto last = decodeCursor(pagination["cursor"].get<std::string>());
        if (!last)
            return failure("INVALID_REQUEST", "pagination.cursor is not a cursor of this listing",
                           "pagination.cursor", "start again without a cursor");
        while (first < matching.size() && matching[first].accountId != *last)
            ++first;
        // The last account left the filter since: start over rather than skip accounts silently.
        first = first < matching.size() ? first + 1 : 0;
    }
    const size_t end = std::min(matching.size(), first + count);
    json accounts = json::array();
    for (size_t i = first; i < end; ++i)
        accounts.push_back(matching[i].toJson());
    // No total_count: it is optional, and a count that includes accounts created since the walk began would
    // disagree between pages.
    json page = {{"has_more", end < matching.size()}};
    if (end < matching.size())
        page["cursor"] = encodeCursor(matching[end - 1].accountId);
    return adcp::ToolOutcome::success({{"accounts", std::move(accounts)}, {"pagination", std::move(page)}});
}

} // namespace adcp::seller

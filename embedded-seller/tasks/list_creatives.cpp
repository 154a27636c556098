#include "taskcontext.h"

#include "domain/accountstore.h"
#include "storage/database.h"

#include <QByteArray>
#include <QSqlQuery>

#include <algorithm>
#include <optional>
#include <set>

namespace adcp::seller {

using nlohmann::json;
using storage::execute;
using storage::qs;
using storage::ss;

namespace {

struct Creative
{
    std::string id;
    std::string name;
    std::string status;
    json detail;
    std::string createdAt;
    std::string updatedAt;
};

std::set<std::string> strings(const json &filters, const char *member)
{
    std::set<std::string> set;
    for (const auto &v : filters.value(member, json::array())) {
        if (v.is_string())
            set.insert(v.get<std::string>());
    }
    return set;
}

// The library filters this seller applies; the names of those given go into query_summary.filters_applied.
bool keep(const Creative &c, const json &filters, std::vector<std::string> *applied)
{
    bool ok = true;
    const auto check = [&](const char *member, bool pass) {
        if (filters.contains(member)) {
            applied->push_back(member);
            ok = ok && pass;
        }
    };
    check("creative_ids", strings(filters, "creative_ids").count(c.id) > 0);
    check("statuses", strings(filters, "statuses").count(c.status) > 0);
    const std::string needle = filters.value("name_contains", std::string());
    check("name_contains",
          QString::fromStdString(c.name).contains(QString::fromStdString(needle), Qt::CaseInsensitive));
    const std::string format = c.detail.contains("format_id") && c.detail["format_id"].is_object()
                                   ? c.detail["format_id"].value("id", std::string())
                                   : std::string();
    std::set<std::string> formats;
    for (const auto &f : filters.value("format_ids", json::array())) {
        if (f.is_object())
            formats.insert(f.value("id", std::string()));
    }
    check("format_ids", formats.count(format) > 0);
    return ok;
}

json toJson(const Creative &c)
{
    json j = {{"creative_id", c.id},
              {"name", c.name.empty() ? c.id : c.name},
              {"status", c.status},
              {"created_date", c.createdAt},
              {"updated_date", c.updatedAt}};
    for (const char *member : {"format_id", "assets", "tags"}) {
        if (c.detail.is_object() && c.detail.contains(member))
            j[member] = c.detail[member];
    }
    // A creative seeded by the test controller may name its format by id alone: that id is one of the
    // formats this seller's products declare, all of which the standard creative agent defines.
    if (j.contains("format_id") && j["format_id"].is_object() && !j["format_id"].contains("agent_url"))
        j["format_id"]["agent_url"] = "https://creative.adcontextprotocol.org";
    return j;
}

struct Assignment
{
    std::string packageId;
    std::string mediaBuyId;
    std::string assignedAt;
};

// The creative's active package assignments (its buy has not ended), oldest first. With an account, only
// buys of that account: the same creative may serve buys under several accounts of one principal.
std::optional<std::vector<Assignment>> activeAssignments(TaskContext &task, const std::string &creativeId,
                                                         QString *error)
{
    QSqlQuery q(storage::connectionFor(task.db));
    if (!execute(
            q,
            QStringLiteral("SELECT d.package_id, d.media_buy_id, coalesce(d.assigned_at, m.created_at) "
                           "FROM mon_dependencies d JOIN media_buys m ON m.principal_id = d.principal_id "
                           "AND m.media_buy_id = d.media_buy_id WHERE d.principal_id = ? AND "
                           "d.resource_type = 'creative' AND d.resource_id = ? AND m.status NOT IN "
                           "('completed', 'rejected', 'canceled') ORDER BY 3, d.package_id"),
            {qs(task.principal.id), qs(creativeId)}, error))
        return std::nullopt;
    std::vector<Assignment> out;
    while (q.next())
        out.push_back({ss(q.value(0).toString()), ss(q.value(1).toString()), ss(q.value(2).toString())});
    q.finish();
    if (task.account) {
        std::erase_if(out, [&](const Assignment &a) {
            return !AccountStore::mediaBuyVisible(task.db, task.principal.id, a.mediaBuyId,
                                                  task.account->accountId);
        });
    }
    return out;
}

// The `assignments` block of one creative (include_assignments, on by default). This seller evaluates no
// creative indicators, so under the `matching` projection no assignment matches: the count says 0 and no
// rows are listed, which is the truth rather than a guess.
json assignmentsJson(const std::vector<Assignment> &all, bool matchingProjection, size_t limit)
{
    json block = {{"assignment_count", all.size()}};
    json rows = json::array();
    if (matchingProjection) {
        block["matching_assignment_count"] = 0;
    } else {
        for (size_t i = 0; i < all.size() && i < limit; ++i)
            rows.push_back({{"package_id", all[i].packageId},
                            {"media_buy_id", all[i].mediaBuyId},
                            {"assigned_date", all[i].assignedAt}});
    }
    block["returned_assignment_count"] = rows.size();
    block["assignments_truncated"] = !matchingProjection && all.size() > limit;
    block["assigned_packages"] = std::move(rows);
    return block;
}

} // namespace

// The creative library: every creative the caller synced or seeded, whether or not a buy still uses it (a
// canceled buy leaves its creatives here). With `account`, creatives synced under another account of the
// caller are left out.
adcp::ToolOutcome listCreatives(TaskContext &task, const json &args)
{
    QSqlQuery q(storage::connectionFor(task.db));
    QString error;
    if (!execute(q,
                 QStringLiteral("SELECT resource_id, name, status, detail_json, created_at, updated_at FROM "
                                "mon_resources WHERE principal_id = ? AND resource_type = 'creative'"),
                 {qs(task.principal.id)}, &error))
        return failure("SERVICE_UNAVAILABLE",
                       "the seller could not read its creatives: " + error.toStdString());
    const json filters = args.value("filters", json::object());
    std::vector<std::string> applied;
    keep(Creative{}, filters, &applied);
    std::vector<Creative> matching;
    while (q.next()) {
        Creative c{ss(q.value(0).toString()), ss(q.value(1).toString()),
                   ss(q.value(2).toString()), storage::fromText(q.value(3).toString()),
                   ss(q.value(4).toString()), ss(q.value(5).toString())};
        std::vector<std::string> scratch;
        if (keep(c, filters, &scratch) &&
            (!task.account ||
             AccountStore::creativeVisible(task.db, task.principal.id, c.id, task.account->accountId)))
            matching.push_back(std::move(c));
    }
    const json sort = args.value("sort", json::object());
    const std::string field = sort.value("field", std::string("created_date"));
    const bool ascending = sort.value("direction", std::string("desc")) == "asc";
    std::stable_sort(matching.begin(), matching.end(), [&](const Creative &a, const Creative &b) {
        const auto key = [&](const Creative &c) {
            return field == "name" ? c.name : field == "updated_date" ? c.updatedAt : c.createdAt + c.id;
        };
        return ascending ? key(a) < key(b) : key(b) < key(a);
    });

    // The cursor is the offset of the next page in this (stable) order.
    const json pagination = args.value("pagination", json::object());
    const size_t count = pagination.value("max_results", 50);
    size_t first = 0;
    if (pagination.contains("cursor")) {
        bool ok = false;
        const auto decoded = QByteArray::fromBase64Encoding(
            QByteArray::fromStdString(pagination["cursor"].get<std::string>()),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded && (*decoded).startsWith("off:"))
            first = (*decoded).mid(4).toULongLong(&ok);
        if (!ok || first > matching.size())
            return failure("INVALID_REQUEST", "pagination.cursor is not a cursor of this listing",
                           "pagination.cursor", "start again without a cursor");
    }
    const size_t end = std::min(matching.size(), first + count);
    const bool withAssignments = args.value("include_assignments", true);
    const bool matchingProjection = args.value("assignment_projection", std::string("all")) == "matching";
    const size_t assignmentLimit = args.value("assignment_limit", 50);
    json creatives = json::array();
    for (size_t i = first; i < end; ++i) {
        json creative = toJson(matching[i]);
        if (withAssignments) {
            const auto assignments = activeAssignments(task, matching[i].id, &error);
            if (!assignments)
                return failure("SERVICE_UNAVAILABLE",
                               "the seller could not read its creative assignments: " + error.toStdString());
            creative["assignments"] = assignmentsJson(*assignments, matchingProjection, assignmentLimit);
        }
        creatives.push_back(std::move(creative));
    }
    json page = {{"has_more", end < matching.size()}, {"total_count", matching.size()}};
    if (end < matching.size())
        page["cursor"] = QByteArray(QByteArrayLiteral("off:") + QByteArray::number(qulonglong(end)))
                             .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
                             .toStdString();
    json summary = {{"total_matching", matching.size()},
                    {"returned", creatives.size()},
                    {"filters_applied", applied},
                    {"sort_applied", {{"field", field}, {"direction", ascending ? "asc" : "desc"}}}};
    return adcp::ToolOutcome::success({{"query_summary", std::move(summary)},
                                       {"pagination", std::move(page)},
                                       {"creatives", std::move(creatives)}});
}

} // namespace adcp::seller

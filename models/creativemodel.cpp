#include "creativemodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace adcp::models {

using nlohmann::json;

CreativeModel::CreativeModel(QObject *parent)
    : TableModel(
          {tr("Creative"), tr("Status"), tr("Format"), tr("In use"), tr("Last changed"), tr("Creative id")},
          parent)
{}

CreativeModel::~CreativeModel() = default;

int CreativeModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

QString CreativeModel::formatOf(const json &creative)
{
    const json formatId = jsonObject(creative, "format_id");
    const QString named = jsonString(formatId, "id");
    if (named.isEmpty())
        return jsonString(creative, "format_kind");
    // A sized format (format_id with width and height) says its size: two display_image creatives of a buy
    // are otherwise indistinguishable.
    const double width = jsonNumber(formatId, "width");
    const double height = jsonNumber(formatId, "height");
    const bool sized = width >= 1 && height >= 1 && width <= 100000 && height <= 100000 &&
                       width == std::floor(width) && height == std::floor(height);
    return sized ? tr("%1 %2×%3").arg(named).arg(qint64(width)).arg(qint64(height)) : named;
}

QString CreativeModel::inUseOf(const json &creative)
{
    const json assignments = jsonObject(creative, "assignments");
    const auto count = assignments.find("assignment_count");
    if (count == assignments.end() || !count->is_number_integer() || count->get<qint64>() < 0)
        return {};
    const qint64 n = count->get<qint64>();
    return n == 0 ? tr("Not assigned") : tr("%n package(s)", nullptr, int(std::min<qint64>(n, INT_MAX)));
}

void CreativeModel::setBuyTitles(std::function<QString(const QString &)> buyTitle)
{
    m_buyTitle = std::move(buyTitle);
}

QString CreativeModel::assignmentsOf(const json &creative,
                                     const std::function<QString(const QString &)> &buyTitle)
{
    const json assignments = jsonObject(creative, "assignments");
    QStringList lines;
    for (const auto &row : jsonArrayView(assignments, "assigned_packages")) {
        const QString package = jsonStringOnly(row, "package_id");
        if (package.isEmpty())
            continue;
        const QString buy = jsonStringOnly(row, "media_buy_id");
        const QDateTime since = jsonDateTime(row, "assigned_date");
        const QString title = buy.isEmpty() || !buyTitle ? QString() : buyTitle(buy);
        QString line = buy.isEmpty() ? tr("package %1").arg(package)
                       : title.isEmpty() || title == buy
                           ? tr("package %1 of media buy %2").arg(package, buy)
                           : tr("package %1 of “%2” (%3)").arg(package, title, buy);
        if (since.isValid())
            line += tr(", since %1").arg(formatDateTime(since));
        lines << line;
    }
    const auto truncated = assignments.find("assignments_truncated");
    if (truncated != assignments.end() && truncated->is_boolean() && truncated->get<bool>())
        lines << tr("… and more (the seller listed only some)");
    return lines.join(QLatin1Char('\n'));
}

QVariant CreativeModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const QString status = jsonString(row.json, "status");
    const QDateTime updated = jsonDateTime(row.json, "updated_date");
    switch (role) {
    case IdRole:
        return row.id;
    case StatusRole:
        return status;
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn)
            return withId(displayName(Vocabulary::CreativeStatus, status), status);
        if (index.column() == InUseColumn) {
            const QString where = assignmentsOf(row.json, m_buyTitle);
            return where.isEmpty() ? data(index, Qt::DisplayRole) : where;
        }
        return withId(data(index.siblingAtColumn(NameColumn), Qt::DisplayRole).toString(), row.id);
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case NameColumn: {
            const QString name = jsonString(row.json, "name");
            return name.isEmpty() ? row.id : name;
        }
        case StatusColumn:
            return displayName(Vocabulary::CreativeStatus, status);
        case FormatColumn:
            return formatOf(row.json);
        case InUseColumn:
            return inUseOf(row.json);
        case UpdatedColumn:
            return updated.isValid() ? formatDateTime(updated) : QString();
        case IdColumn:
            return row.id;
        case NB_COLUMNS:
            break;
        }
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case StatusColumn:
            return status;
        case UpdatedColumn:
            return updated;
        case InUseColumn: {
            // Unreported sorts before "Not assigned" (0), then by how many packages.
            const json assignments = jsonObject(row.json, "assignments");
            const auto count = assignments.find("assignment_count");
            return count != assignments.end() && count->is_number_integer() ? QVariant(count->get<qint64>())
                                                                            : QVariant(qint64(-1));
        }
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

void CreativeModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_next.clear();
    m_listed = false;
    m_total = -1;
    endResetModel();
}

void CreativeModel::addPage(const json &result, bool firstPage)
{
    if (firstPage)
        clear();
    m_listed = true;
    std::vector<Row> added;
    QHash<QString, int> addedAt;
    for (const auto &creative : jsonArray(result, "creatives")) {
        const QString id = jsonStringOnly(creative, "creative_id");
        if (id.isEmpty() || !creative.is_object())
            continue;
        if (const int row = rowOf(id); row >= 0) {
            m_rows[static_cast<size_t>(row)].json = creative;
            Q_EMIT dataChanged(index(row, 0), index(row, NB_COLUMNS - 1));
            continue;
        }
        // The same id twice in one page: the later entry wins, in the earlier one's place.
        if (const auto found = addedAt.constFind(id); found != addedAt.cend()) {
            added[static_cast<size_t>(*found)].json = creative;
            continue;
        }
        if (static_cast<int>(m_rows.size() + added.size()) >= kMaxRows)
            break;
        addedAt.insert(id, static_cast<int>(added.size()));
        added.push_back({id, creative});
    }
    appendIndexed(m_rows, m_index, std::move(added));
    m_next.read(result, m_rows.size(), kMaxRows);
    // The seller's count, when it gives one that is a count at all.
    const json summary = jsonObject(result, "query_summary");
    const auto total = summary.find("total_matching");
    m_total = total != summary.end() && total->is_number_integer() && total->get<long long>() >= 0 &&
                      total->get<long long>() <= 100000000
                  ? int(total->get<long long>())
                  : -1;
}

bool CreativeModel::hasMore() const
{
    return m_next.hasMore;
}

QString CreativeModel::cursor() const
{
    return m_next.cursor;
}

int CreativeModel::totalMatching() const
{
    return m_total;
}

bool CreativeModel::isListed() const
{
    return m_listed;
}

int CreativeModel::rowOf(const QString &creativeId) const
{
    return m_index.value(creativeId, -1);
}

QString CreativeModel::creativeId(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].id : QString();
}

const json &CreativeModel::creativeJson(int row) const
{
    static const json none;
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].json : none;
}

QString CreativeModel::status(int row) const
{
    return jsonString(creativeJson(row), "status");
}

} // namespace adcp::models

#include "accountmodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <QUrl>

#include <map>

namespace adcp::models {

using nlohmann::json;

namespace {

QString brandDomainOf(const json &account)
{
    return jsonString(jsonObject(account, "brand"), "domain");
}

} // namespace

AccountModel::AccountModel(QObject *parent)
    : TableModel({tr("Account"), tr("Status"), tr("Advertiser"), tr("Operator"), tr("Billed to"),
                  tr("Account id"), tr("Last sync")},
                 parent)
{}

AccountModel::~AccountModel() = default;

int AccountModel::rowCount(const QModelIndex &parent) const
{
    return flatRowCount(parent, m_rows.size());
}

QVariant AccountModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const QString status = jsonString(row.json, "status");
    switch (role) {
    case IdRole:
        return row.key;
    case StatusRole:
        return status;
    case Qt::ToolTipRole:
        if (index.column() == ResultColumn && !row.error.isEmpty())
            return row.error;
        if (index.column() == StatusColumn)
            return withId(displayName(Vocabulary::AccountStatus, status), status);
        return titleOf(row.json);
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case NameColumn: {
            const QString name = jsonString(row.json, "name");
            return name.isEmpty() ? brandDomainOf(row.json) : name;
        }
        case StatusColumn:
            return displayName(Vocabulary::AccountStatus, status);
        case BrandColumn:
            return brandDomainOf(row.json);
        case OperatorColumn:
            return jsonString(row.json, "operator");
        case BillingColumn:
            return displayName(Vocabulary::BillingParty, jsonString(row.json, "billing"));
        case IdColumn:
            return jsonString(row.json, "account_id");
        case ResultColumn:
            return resultText(row);
        case NB_COLUMNS:
            break;
        }
        return {};
    case SortRole:
        switch (static_cast<Column>(index.column())) {
        case StatusColumn:
            return status;
        case BillingColumn:
            return jsonString(row.json, "billing");
        case ResultColumn:
            return row.action;
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

QString AccountModel::resultText(const Row &row) const
{
    if (row.action.isEmpty())
        return QString();
    const QString action = displayName(Vocabulary::SyncAction, row.action);
    return row.error.isEmpty() ? action : tr("%1: %2").arg(action, row.error);
}

void AccountModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_next.clear();
    endResetModel();
}

void AccountModel::addPage(const json &result, bool firstPage)
{
    // A listing read again keeps what the planner's syncs said about the accounts it still holds.
    std::map<QString, std::pair<QString, QString>> outcomes;
    if (firstPage) {
        for (const Row &row : m_rows) {
            if (!row.action.isEmpty())
                outcomes[row.key] = {row.action, row.error};
        }
        clear();
    }
    for (const auto &account : jsonArray(result, "accounts")) {
        const auto kept = outcomes.find(keyOf(account));
        if (kept == outcomes.end())
            upsert(account, {}, {});
        else
            upsert(account, kept->second.first, kept->second.second);
    }
    m_next.read(result, m_rows.size(), kMaxRows);
}

bool AccountModel::hasMore() const
{
    return m_next.hasMore;
}

QString AccountModel::cursor() const
{
    return m_next.cursor;
}

QList<int> AccountModel::applySyncResults(const json &result)
{
    QList<int> rows;
    for (const auto &entry : jsonArray(result, "accounts")) {
        QString error;
        const json errors = jsonArray(entry, "errors");
        if (!errors.empty()) {
            error = jsonString(errors.front(), "message");
            if (error.isEmpty())
                error = jsonString(errors.front(), "code");
        }
        const int row = upsert(entry, jsonString(entry, "action"), error);
        if (row >= 0)
            rows << row;
    }
    return rows;
}

int AccountModel::upsert(const json &account, const QString &action, const QString &error)
{
    const QString key = keyOf(account);
    if (key.isEmpty())
        return -1;
    int row = rowOf(key);
    if (row < 0) {
        if (static_cast<int>(m_rows.size()) >= kMaxRows)
            return -1;
        row = static_cast<int>(m_rows.size());
        beginInsertRows({}, row, row);
        m_rows.push_back({key, account, action, error});
        endInsertRows();
        return row;
    }
    Row &existing = m_rows[static_cast<size_t>(row)];
    // A failed sync entry carries no account: the row keeps what the seller said about the account before.
    if (action != QLatin1String("failed"))
        existing.json = account;
    if (!action.isEmpty()) {
        existing.action = action;
        existing.error = error;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, NB_COLUMNS - 1));
    return row;
}

int AccountModel::rowOf(const QString &key) const
{
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].key == key)
            return static_cast<int>(i);
    }
    return -1;
}

QString AccountModel::key(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].key : QString();
}

const json &AccountModel::accountJson(int row) const
{
    static const json empty = json::object();
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].json : empty;
}

QString AccountModel::status(int row) const
{
    return jsonString(accountJson(row), "status");
}

QString AccountModel::setupMessage(int row) const
{
    return jsonString(jsonObject(accountJson(row), "setup"), "message");
}

QString AccountModel::setupUrl(int row) const
{
    return setupUrlOf(accountJson(row));
}

QString AccountModel::setupUrlOf(const json &accountOrDetails)
{
    QString text = jsonString(jsonObject(accountOrDetails, "setup"), "url");
    if (text.isEmpty())
        text = jsonString(accountOrDetails, "setup_url");
    const QUrl url(text, QUrl::StrictMode);
    // Only a web page is opened for the planner; a file: or custom-scheme link from a peer is not.
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return QString();
    return url.toString();
}

QString AccountModel::keyOf(const json &account)
{
    const QString id = jsonStringOnly(account, "account_id");
    if (!id.isEmpty())
        return id;
    const QString brand = brandDomainOf(account);
    const QString operatorDomain = jsonString(account, "operator");
    if (brand.isEmpty() && operatorDomain.isEmpty())
        return QString();
    return brand + QLatin1Char('|') + operatorDomain + QLatin1Char('|') +
           jsonString(jsonObject(account, "operator_unit"), "id");
}

json AccountModel::referenceOf(const json &account)
{
    if (!account.is_object())
        return json();
    const QString id = jsonStringOnly(account, "account_id");
    if (!id.isEmpty())
        return {{"account_id", id.toStdString()}};
    const QString domain = brandDomainOf(account);
    const QString operatorDomain = jsonString(account, "operator");
    if (domain.isEmpty() || operatorDomain.isEmpty())
        return json();
    // Only the members of a brand reference: whatever else a peer put beside them stays out of requests.
    json brand = {{"domain", domain.toStdString()}};
    const QString brandId = jsonString(jsonObject(account, "brand"), "brand_id");
    if (!brandId.isEmpty())
        brand["brand_id"] = brandId.toStdString();
    json ref = {{"brand", brand}, {"operator", operatorDomain.toStdString()}};
    const QString unit = jsonString(jsonObject(account, "operator_unit"), "id");
    if (!unit.isEmpty())
        ref["operator_unit"] = {{"id", unit.toStdString()}};
    return ref;
}

QString AccountModel::titleOf(const json &account)
{
    const QString id = jsonString(account, "account_id");
    const QString name = jsonString(account, "name");
    if (!name.isEmpty())
        return withId(name, id);
    const QString brand = brandDomainOf(account);
    const QString operatorDomain = jsonString(account, "operator");
    if (!brand.isEmpty())
        return operatorDomain.isEmpty() || operatorDomain == brand
                   ? brand
                   : tr("%1 via %2").arg(brand, operatorDomain);
    return id;
}

} // namespace adcp::models

#include "approvalmodel.h"

#include "displaynames.h"
#include "jsonvalues.h"
#include "modelroles.h"

#include <QSet>

namespace adcp::models {

namespace {

QString taskTypeName(const QString &type)
{
    if (type == QLatin1String("create_media_buy"))
        return ApprovalModel::tr("New media buy");
    if (type == QLatin1String("buy_products"))
        return ApprovalModel::tr("Direct buy");
    if (type == QLatin1String("update_media_buy"))
        return ApprovalModel::tr("Change to a media buy");
    if (type == QLatin1String("account"))
        return ApprovalModel::tr("New account");
    return displayName(Vocabulary::Status, type);
}

// What a held buy is, in the reviewer's words: the proposal it accepts, or the products it buys (a buy from
// packages or a direct buy's purchases), with its total budget when the request gave one.
QString subjectOf(const nlohmann::json &task)
{
    // An account: its name, the brand it is for and the buyer that asked.
    if (const nlohmann::json account = jsonObject(task, "account"); !account.empty()) {
        QString name = jsonString(account, "name");
        if (name.isEmpty())
            name = jsonString(account, "account_id");
        const QString brand = jsonString(account, "brand_domain");
        if (!brand.isEmpty() && brand != name)
            name = ApprovalModel::tr("%1 (%2)").arg(name, brand);
        const QString buyer = jsonString(account, "principal_id");
        return buyer.isEmpty() ? name : ApprovalModel::tr("%1 · asked by %2").arg(name, buyer);
    }
    const nlohmann::json params = jsonObject(task, "params");
    // Names the seller's records give the ids (backoffice::describeTasks); an id without one stays an id.
    const nlohmann::json names = jsonObject(task, "names");
    const nlohmann::json productNames = jsonObject(names, "products");
    QString what;
    if (const QString proposal = jsonString(params, "proposal_id"); !proposal.isEmpty()) {
        const QString name = jsonStringOnly(names, "proposal");
        what = name.isEmpty() ? ApprovalModel::tr("proposal %1").arg(proposal)
                              : ApprovalModel::tr("proposal “%1”").arg(name);
    } else {
        QStringList products;
        for (const char *list : {"packages", "purchases"}) {
            for (const auto &item : jsonArrayView(params, list)) {
                const QString id = jsonString(item, "product_id");
                const QString name = jsonStringOnly(productNames, id.toStdString().c_str());
                const QString product = name.isEmpty() ? id : name;
                if (!product.isEmpty() && !products.contains(product))
                    products.push_back(product);
            }
        }
        if (products.size() > 2)
            what = ApprovalModel::tr("%1, %2 and %n more", nullptr, int(products.size() - 2))
                       .arg(products[0], products[1]);
        else
            what = products.join(QStringLiteral(", "));
    }
    const nlohmann::json budget = jsonObject(params, "total_budget");
    const double amount =
        budget.is_object() ? jsonNumber(budget, "amount") : jsonNumber(params, "total_budget");
    const QString currency = jsonString(budget, "currency");
    if (amount > 0.0 && !currency.isEmpty())
        what = what.isEmpty() ? formatMoney(amount, currency)
                              : QStringLiteral("%1 · %2").arg(what, formatMoney(amount, currency));
    return what.isEmpty() ? jsonString(task, "media_buy_id") : what;
}

} // namespace

ApprovalModel::ApprovalModel(QObject *parent) : QAbstractTableModel(parent) {}

ApprovalModel::~ApprovalModel() = default;

int ApprovalModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tasks.size());
}

int ApprovalModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ApprovalModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Task &task = m_tasks[static_cast<size_t>(index.row())];
    switch (role) {
    case IdRole:
        return task.id;
    case Qt::ToolTipRole: {
        // The whole subject first (the column cuts it in the docked console), then the ids.
        const QString ids =
            !task.accountId.isEmpty()   ? tr("Account %1 of %2").arg(task.accountId, task.accountPrincipal)
            : task.mediaBuyId.isEmpty() ? tr("Task %1").arg(task.id)
                                        : tr("Task %1 · media buy %2").arg(task.id, task.mediaBuyId);
        if (index.column() != WhatColumn)
            return ids;
        return QStringLiteral("%1\n%2").arg(data(index, Qt::DisplayRole).toString(), ids);
    }
    case Qt::DisplayRole:
        switch (static_cast<Column>(index.column())) {
        case WhatColumn:
            return task.subject.isEmpty() ? taskTypeName(task.type)
                                          : QStringLiteral("%1 · %2").arg(taskTypeName(task.type), task.subject);
        case SinceColumn:
            return formatDateTime(task.createdAt);
        case ActionColumn:
        case NB_COLUMNS:
            break;
        }
        return {};
    default:
        return {};
    }
}

QVariant ApprovalModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case WhatColumn:
        return tr("Waiting");
    case SinceColumn:
        return tr("Since");
    case ActionColumn:
    case NB_COLUMNS:
        break;
    }
    return {};
}

void ApprovalModel::setTasks(const nlohmann::json &tasks)
{
    std::vector<Task> wanted;
    QSet<QString> ids;
    if (tasks.is_array()) {
        for (const auto &task : tasks) {
            const QString id = jsonString(task, "task_id");
            if (id.isEmpty() || ids.contains(id))
                continue;
            ids.insert(id);
            const nlohmann::json account = jsonObject(task, "account");
            wanted.push_back({id, jsonString(task, "task_type"), subjectOf(task),
                              jsonDateTime(task, "created_at"), jsonString(task, "media_buy_id"),
                              jsonString(account, "principal_id"), jsonString(account, "account_id")});
        }
    }
    // Gone first (from the bottom, so rows above keep their numbers), then new ones appended.
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (ids.contains(m_tasks[static_cast<size_t>(row)].id))
            continue;
        beginRemoveRows({}, row, row);
        m_tasks.erase(m_tasks.begin() + row);
        endRemoveRows();
    }
    for (Task &task : wanted) {
        const int existing = rowOf(task.id);
        if (existing >= 0) {
            Task &shown = m_tasks[static_cast<size_t>(existing)];
            if (shown.type != task.type || shown.subject != task.subject ||
                shown.createdAt != task.createdAt || shown.mediaBuyId != task.mediaBuyId ||
                shown.accountId != task.accountId || shown.accountPrincipal != task.accountPrincipal) {
                shown = task;
                Q_EMIT dataChanged(index(existing, 0), index(existing, NB_COLUMNS - 1));
            }
            continue;
        }
        const int row = rowCount();
        beginInsertRows({}, row, row);
        m_tasks.push_back(std::move(task));
        endInsertRows();
    }
}

QString ApprovalModel::accountId(int row) const
{
    return row >= 0 && row < rowCount() ? m_tasks[static_cast<size_t>(row)].accountId : QString();
}

QString ApprovalModel::accountPrincipal(int row) const
{
    return row >= 0 && row < rowCount() ? m_tasks[static_cast<size_t>(row)].accountPrincipal : QString();
}

int ApprovalModel::firstBuyRow() const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (m_tasks[static_cast<size_t>(row)].accountId.isEmpty())
            return row;
    }
    return -1;
}

QString ApprovalModel::taskId(int row) const
{
    return row >= 0 && row < rowCount() ? m_tasks[static_cast<size_t>(row)].id : QString();
}

int ApprovalModel::rowOf(const QString &taskId) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (m_tasks[static_cast<size_t>(row)].id == taskId)
            return row;
    }
    return -1;
}

} // namespace adcp::models

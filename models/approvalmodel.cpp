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
    if (type == QLatin1String("update_media_buy"))
        return ApprovalModel::tr("Change to a media buy");
    return displayName(Vocabulary::Status, type);
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
    case Qt::ToolTipRole:
        return tr("Task %1").arg(task.id);
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
            QString subject = jsonString(task, "media_buy_id");
            if (subject.isEmpty())
                subject = jsonString(jsonObject(task, "params"), "proposal_id");
            wanted.push_back({id, jsonString(task, "task_type"), subject, jsonDateTime(task, "created_at")});
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
            if (shown.type != task.type || shown.subject != task.subject || shown.createdAt != task.createdAt) {
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

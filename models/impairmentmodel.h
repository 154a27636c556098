#pragma once

#include "tablemodel.h"

#include <QDateTime>
#include <QHash>

#include <nlohmann/json.hpp>

#include <vector>

namespace adcp::models {

// A buy's impairments[], oldest observation first (the order the spec recommends for triage).
class ImpairmentModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImpairmentModel)
public:
    enum Column {
        ResourceColumn,
        PackagesColumn,
        TransitionColumn,
        ReasonColumn,
        RemediationColumn,
        ObservedColumn,
        NB_COLUMNS
    };

    explicit ImpairmentModel(QObject *parent = nullptr);
    ~ImpairmentModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // `packageNames` names packages (package_id → what the planner calls it, e.g. its product's name); a
    // package without one is shown by its id.
    void setImpairments(const nlohmann::json &impairments, const QHash<QString, QString> &packageNames = {});

private:
    struct Row
    {
        QString id;
        QString resourceType;
        QString resourceId;
        QStringList packageIds;
        QString from;
        QString to;
        QString reasonCode;
        QString reason;
        QString remediation;
        QDateTime observedAt;
    };
    std::vector<Row> m_rows;
};

} // namespace adcp::models

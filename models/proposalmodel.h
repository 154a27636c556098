#pragma once

#include "tablemodel.h"
#include <QDateTime>
#include <QHash>

#include <nlohmann/json.hpp>

#include <functional>

#include <vector>

namespace adcp::models {

// One version of a proposal as the buyer received it. Every version is kept so two can be compared.
struct ProposalVersion
{
    QString version; // proposal_version, or "#n" (order of arrival) when the seller sends none
    QDateTime receivedAt;
    QString status;
    nlohmann::json json;
};

// Every proposal of the session with its current version and its history. The "Expires" column counts down
// against the model's clock; tick() moves it.
class ProposalModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalModel)
public:
    enum Column {
        IdColumn,
        NameColumn,
        VersionColumn,
        StatusColumn,
        BudgetColumn,
        ExpiresColumn,
        BriefColumn, // the title of the brief (opportunity) the proposal answered
        NB_COLUMNS
    };

    explicit ProposalModel(QObject *parent = nullptr);
    ~ProposalModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // Adds a proposal or, when its id is known, makes this its current version (a new history entry when the
    // version differs). Returns the row.
    int upsertProposal(const nlohmann::json &proposal, const QDateTime &receivedAt,
                       const QString &opportunityId = {});
    // Local outcomes the seller does not echo in the proposal itself.
    void setLocalStatus(const QString &proposalId, const QString &status, const QString &note = {});
    void clear();

    // Every proposal with all its versions and local outcomes, for the saved workspace. restoreState adds the
    // proposals the model does not hold yet (an answer that arrived first wins), skips entries it cannot read
    // (a damaged file is untrusted input) and returns how many it added.
    nlohmann::json saveState() const;
    int restoreState(const nlohmann::json &state);

    int rowOf(const QString &proposalId) const;
    QString proposalId(int row) const;
    const nlohmann::json &proposalJson(int row) const;
    QString status(int row) const; // includes the computed "expired"
    QString opportunityId(int row) const;
    // How many opportunities the proposals belong to (a proposal without one counts as none).
    int opportunityCount() const;
    // The Brief column's titles, by opportunity id (the column shows the id while there is no lookup or it
    // gives nothing). briefTitlesChanged() after a title changed.
    void setBriefTitles(std::function<QString(const QString &opportunityId)> lookup);
    void briefTitlesChanged();
    QString note(int row) const;
    const std::vector<ProposalVersion> &versions(int row) const;

    QDateTime now() const;
    // Moves the clock the countdown is measured against (the seller clock for the embedded seller).
    void tick(const QDateTime &now);

Q_SIGNALS:
    void versionAdded(const QString &proposalId, const QString &version);
    // What the proposals hold changed (not the countdown that tick() moves).
    void contentChanged();

private:
    struct Row
    {
        QString id;
        QString opportunityId;
        QString localStatus; // declined / consumed, overriding proposal_status
        QString note;
        std::vector<ProposalVersion> versions;
        // Parsed once per version so that sorting and the countdown never re-read JSON.
        QString name;
        QString sellerStatus;
        QString currency;
        QString description;
        double budget = 0.0;
        QDateTime expiresAt;
        const nlohmann::json &json() const { return versions.back().json; }
    };
    static void refreshCache(Row &row);
    QString computedStatus(const Row &row) const;
    QString briefTitle(const QString &opportunityId) const;

    std::vector<Row> m_rows;
    QHash<QString, int> m_index; // proposal_id -> row
    QDateTime m_now;
    std::function<QString(const QString &)> m_briefTitle;
};

} // namespace adcp::models

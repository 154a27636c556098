#pragma once

#include "tablemodel.h"
#include <QDateTime>
#include <QHash>

#include <nlohmann/json.hpp>

#include <functional>

#include <cstdint>
#include <vector>

namespace adcp::models {

// Every media buy of the session: lifecycle status, health badge, budget and delivery so far.
class BuyModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuyModel)
public:
    enum Column {
        IdColumn,
        ProposalColumn, // "Bought from": the proposal's name, or a direct buy's products
        StatusColumn,
        HealthColumn,
        BudgetColumn,
        PacingColumn,
        FlightColumn,
        BriefColumn, // the title of the brief (opportunity) whose proposal was bought; empty for direct buys
        NB_COLUMNS
    };

    explicit BuyModel(QObject *parent = nullptr);
    ~BuyModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // A media buy from get_media_buys (or a create_media_buy success); fields absent from `buy` keep their
    // previous value, so a create answer and a later snapshot merge. Returns the row.
    int upsertBuy(const nlohmann::json &buy);
    // One entry of get_media_buy_delivery's media_buy_deliveries.
    void setDelivery(nlohmann::json delivery);
    // The name people know the buy by (its proposal's); shown instead of the proposal id.
    void setTitle(const QString &mediaBuyId, const QString &title);
    QString title(int row) const; // the title, else the proposal id
    // The buy's own status: media_buy_status, or `status` from a seller before 3.2 (a 3.2 seller's `status` is
    // the task's).
    QString status(int row) const;
    QString proposalId(int row) const;
    // The Brief column's titles, by the proposal a buy was made from (empty: none). briefTitlesChanged()
    // after a title changed. briefCount() is how many different briefs the buys come from.
    void setBriefTitles(std::function<QString(const QString &proposalId)> lookup);
    void briefTitlesChanged();
    int briefCount() const;
    // Changes each time anything of the row does (snapshot, delivery, title); unique within the model's life,
    // so a view can tell "the same buy as I drew it" without comparing documents.
    quint64 revision(int row) const;
    void clear();

    // Each buy as last seen (with its delivery and title), for the saved workspace. restoreState adds the
    // buys the model does not hold yet, skips entries it cannot read and returns how many it added.
    nlohmann::json saveState() const;
    int restoreState(const nlohmann::json &state);

    // Whether a buy in `status` (media_buy_status) is over: completed, rejected or canceled.
    static bool isTerminalStatus(const QString &status);

    int rowOf(const QString &mediaBuyId) const;
    QString mediaBuyId(int row) const;
    const nlohmann::json &buyJson(int row) const;
    // The row's last delivery report. Reports are kept compact and the one asked for last is expanded: the
    // reference stays valid until another row's report is asked for.
    const nlohmann::json &deliveryJson(int row) const;

private:
    struct Row
    {
        QString id;
        nlohmann::json json;
        std::vector<std::uint8_t> delivery; // compactJson of the last report (empty: none)
        quint64 deliveryRevision = 0;       // the revision the report came with
        QString status;
        QString health;
        QString proposalId;
        QString title;
        QString currency;
        double budget = 0.0;
        double spend = 0.0;
        double pacingIndex = 0.0;
        int impairments = 0;
        QDateTime start;
        QDateTime end;
        quint64 revision = 0; // from m_revisions: changes whenever anything of the row does
    };
    static void refresh(Row &row);
    // Takes `delivery` as the row's report (its spend and pacing read, the rest kept compact); false when
    // it is the report the row has already.
    bool applyDelivery(Row &row, const nlohmann::json &delivery);
    quint64 m_revisions = 0;
    mutable quint64 m_expandedRevision = 0; // the deliveryRevision of m_expanded (0: none)
    mutable nlohmann::json m_expanded;

    std::vector<Row> m_rows;
    QHash<QString, int> m_index;
    std::function<QString(const QString &)> m_briefTitle;
};

} // namespace adcp::models

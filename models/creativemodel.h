#pragma once

#include "jsonvalues.h"
#include "tablemodel.h"

#include <QHash>

#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

namespace adcp::models {

// The creative library of the active account at one seller, as list_creatives pages report it: name, approval
// status (with its human name), format, the packages it is assigned to, last change. Rows are keyed by
// creative_id; an entry without one is left out. The seller's own count of matches
// (query_summary.total_matching) is kept for "n of m shown".
class CreativeModel final : public TableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreativeModel)
public:
    enum Column { NameColumn, StatusColumn, FormatColumn, InUseColumn, UpdatedColumn, IdColumn, NB_COLUMNS };
    // More rows than this are not kept: a seller that pages forever cannot exhaust the window's memory.
    static constexpr int kMaxRows = 5000;

    explicit CreativeModel(QObject *parent = nullptr);
    ~CreativeModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void clear();
    // A list_creatives result. The first page replaces the rows; a later one appends (a creative already
    // shown is updated in place). Remembers the cursor of the next page.
    void addPage(const nlohmann::json &result, bool firstPage);
    bool hasMore() const;
    QString cursor() const;
    // How many creatives match the listing as the seller counts them; -1 when it did not say.
    int totalMatching() const;
    // Whether a listing has been shown since the last clear() (an empty library is then a real answer).
    bool isListed() const;

    int rowOf(const QString &creativeId) const;
    QString creativeId(int row) const;
    const nlohmann::json &creativeJson(int row) const;
    QString status(int row) const;

    // How the library names a creative's format: the named format's id (format_id.id) or, for a 3.2 canonical
    // creative, its format kind.
    static QString formatOf(const nlohmann::json &creative);
    // Where the seller says the creative runs (its `assignments` block): "2 packages", "Not assigned", or
    // empty when the seller did not report assignments.
    static QString inUseOf(const nlohmann::json &creative);
    // One line per assigned package ("package p1 of “Balanced plan” (mb1), since …"), for the tooltip.
    // `buyTitle` names a media buy the window knows (empty: not known, the id alone is shown).
    static QString assignmentsOf(const nlohmann::json &creative,
                                 const std::function<QString(const QString &mediaBuyId)> &buyTitle = {});
    // How the tooltip names buys; the workbench passes its buys' titles.
    void setBuyTitles(std::function<QString(const QString &mediaBuyId)> buyTitle);

private:
    struct Row
    {
        QString id;
        nlohmann::json json;
    };

    std::vector<Row> m_rows;
    QHash<QString, int> m_index;
    ListingCursor m_next;
    bool m_listed = false;
    int m_total = -1;
    std::function<QString(const QString &)> m_buyTitle;
};

} // namespace adcp::models

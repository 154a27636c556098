#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include <cstddef>
#include <vector>

namespace adcp::models {

// What the workbench's flat table models share: a fixed list of titled columns (one title per value of the
// model's Column enum, in order) and no children.
class TableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TableModel)
public:
    ~TableModel() override;

    int columnCount(const QModelIndex &parent = {}) const final;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const final;

protected:
    // `titles` are translated by the model (tr in its own context).
    TableModel(QStringList titles, QObject *parent);
    // rowCount() of a flat table holding `count` rows.
    static int flatRowCount(const QModelIndex &parent, std::size_t count);
    // Whether `index` is a cell of this table (valid, top level), for data().
    bool isCell(const QModelIndex &index) const;
    // Appends `added` at the end in one insertion and records each new row's position in `index` under the
    // `id` member of its row type. Returns how many rows were added.
    template <typename Row>
    int appendIndexed(std::vector<Row> &rows, QHash<QString, int> &index, std::vector<Row> added)
    {
        if (added.empty())
            return 0;
        const int first = static_cast<int>(rows.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (Row &row : added) {
            index.insert(row.id, static_cast<int>(rows.size()));
            rows.push_back(std::move(row));
        }
        endInsertRows();
        return static_cast<int>(added.size());
    }

private:
    QStringList m_titles;
};

} // namespace adcp::models

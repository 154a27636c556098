#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <cstddef>

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

private:
    QStringList m_titles;
};

} // namespace adcp::models

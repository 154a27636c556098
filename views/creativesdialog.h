#pragma once

#include <QDialog>

#include <nlohmann/json.hpp>

#include <functional>

class QTableWidget;

namespace adcp::gui {

// Creatives for a buy's packages: one per package, in a format the package's product accepts, with the URL
// of its hosted asset. Produces the sync_creatives `creatives` and `assignments`.
class CreativesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreativesDialog)
public:
    // `productJson` returns the product (with format_ids and name) of a product id; `title` names the buy
    // as the window shows it.
    CreativesDialog(const nlohmann::json &buy,
                    const std::function<nlohmann::json(const QString &)> &productJson,
                    const QString &title = {}, QWidget *parent = nullptr);

    int packageCount() const;
    nlohmann::json creatives() const;
    nlohmann::json assignments() const;
    QTableWidget *table() const;

private:
    struct Row
    {
        QString packageId;
        QString creativeId;
        nlohmann::json formatId;
        QString label; // what the planner bought in the package: its product's name (or the package id)
    };
    std::vector<Row> m_rows;
    QTableWidget *m_table = nullptr;
};

} // namespace adcp::gui

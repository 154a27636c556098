#include "creativesdialog.h"

#include "creativeassets.h"
#include "jsonvalues.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

CreativesDialog::CreativesDialog(const json &buy, const std::function<json(const QString &)> &productJson,
                                 const QString &title, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("creativesDialog"));
    setWindowTitle(tr("Creatives for %1").arg(title.isEmpty() ? jsonString(buy, "media_buy_id") : title));
    resize(760, 320);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(
        new QLabel(tr("One creative per package, in a format its product accepts. Edit the asset "
                      "URLs to point at your hosted files."),
                   this));
    m_table = new QTableWidget(0, 3, this);
    m_table->setObjectName(QStringLiteral("creativeTable"));
    m_table->setHorizontalHeaderLabels({tr("Product"), tr("Format"), tr("Asset URL")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    for (const auto &package : jsonArray(buy, "packages")) {
        const QString packageId = jsonString(package, "package_id");
        const QString productId = jsonString(package, "product_id");
        const json product = productJson(productId);
        json formats = jsonArray(product, "format_ids");
        // A buy whose product this session never listed (placed elsewhere): the formats the seller asks for.
        if (formats.empty())
            formats = jsonArray(package, "format_ids_to_provide");
        if (packageId.isEmpty() || formats.empty())
            continue;
        const QString productName = jsonString(product, "name");
        Row row{packageId, QStringLiteral("cr-%1").arg(packageId), formats.front(),
                productName.isEmpty() ? packageId : productName};
        const int r = m_table->rowCount();
        m_table->insertRow(r);
        // The package by its product's name, as the planner bought it; the ids in the tooltip.
        auto *packageItem = new QTableWidgetItem(productName.isEmpty() ? packageId : productName);
        packageItem->setToolTip(tr("Package %1 · product %2").arg(packageId, productId));
        packageItem->setFlags(Qt::ItemIsEnabled);
        m_table->setItem(r, 0, packageItem);
        auto *formatItem = new QTableWidgetItem(formatLabel(row.formatId));
        formatItem->setFlags(Qt::ItemIsEnabled);
        m_table->setItem(r, 1, formatItem);
        m_table->setItem(
            r, 2,
            new QTableWidgetItem(QStringLiteral("https://cdn.example/creatives/%1").arg(row.creativeId)));
        m_rows.push_back(std::move(row));
    }
    m_table->resizeColumnsToContents();
    layout->addWidget(m_table, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

int CreativesDialog::packageCount() const
{
    return static_cast<int>(m_rows.size());
}

json CreativesDialog::creatives() const
{
    json list = json::array();
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const Row &row = m_rows[i];
        const QString url = m_table->item(static_cast<int>(i), 2)->text().trimmed();
        list.push_back({{"creative_id", row.creativeId.toStdString()},
                        {"name", tr("Creative for %1").arg(row.label).toStdString()},
                        {"format_id", creativeFormatId(row.formatId)},
                        {"assets", {{"main", creativeAsset(row.formatId, url)}}}});
    }
    return list;
}

json CreativesDialog::assignments() const
{
    json list = json::array();
    for (const Row &row : m_rows)
        list.push_back(
            {{"creative_id", row.creativeId.toStdString()}, {"package_id", row.packageId.toStdString()}});
    return list;
}

QTableWidget *CreativesDialog::table() const
{
    return m_table;
}

} // namespace adcp::gui

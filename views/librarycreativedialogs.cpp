#include "librarycreativedialogs.h"

#include "buymodel.h"
#include "creativeassets.h"
#include "displaynames.h"
#include "jsonvalues.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

namespace {

// A creative id the buyer owns: readable from the name, unique by a random tail.
QString newCreativeId(const QString &name)
{
    QString slug;
    for (const QChar c : name.toLower()) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            slug += c;
        else if (!slug.isEmpty() && !slug.endsWith(u'-'))
            slug += u'-';
        if (slug.size() >= 24)
            break;
    }
    while (slug.endsWith(u'-'))
        slug.chop(1);
    const QString tail = QString::number(QRandomGenerator::global()->generate() & 0xffffff, 16);
    return QStringLiteral("cr-") + (slug.isEmpty() ? QString() : slug + u'-') + tail;
}

} // namespace

NewCreativeDialog::NewCreativeDialog(const json &formats, QWidget *parent)
    : QDialog(parent), m_formats(formats.is_array() ? formats : json::array())
{
    setObjectName(QStringLiteral("newCreativeDialog"));
    setWindowTitle(tr("New creative"));
    resize(560, 0);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A creative for the library, to assign to your buys' packages later (Assign "
                                "to buys… in the library)."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("newCreativeName"));
    m_name->setPlaceholderText(tr("e.g. Cold brew launch 15 s"));
    form->addRow(tr("Name"), m_name);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("newCreativeFormat"));
    for (const auto &format : m_formats)
        m_format->addItem(formatLabel(format));
    m_format->setToolTip(tr("The formats the seller's products you have seen ask for"));
    form->addRow(tr("Format"), m_format);
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("newCreativeUrl"));
    m_url->setPlaceholderText(tr("https://cdn.example/creatives/launch.mp4"));
    m_url->setToolTip(tr("Where the seller fetches the asset: an http or https address"));
    form->addRow(tr("Asset URL"), m_url);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("newCreativeProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b45309;"));
    layout->addWidget(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Upload"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &NewCreativeDialog::updateState);
    connect(m_url, &QLineEdit::textChanged, this, &NewCreativeDialog::updateState);
    connect(m_format, &QComboBox::currentIndexChanged, this, &NewCreativeDialog::updateState);
    updateState();
}

QString NewCreativeDialog::problem() const
{
    if (m_formats.empty())
        return tr("No format known yet: send a brief or load the catalog first, so the seller's products say "
                  "which formats they take.");
    if (m_name->text().trimmed().isEmpty())
        return tr("Name the creative.");
    const QUrl url(m_url->text().trimmed(), QUrl::StrictMode);
    if (m_url->text().trimmed().isEmpty())
        return tr("Give the address of the hosted asset.");
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return tr("The asset URL must be an http or https address.");
    return {};
}

void NewCreativeDialog::updateState()
{
    const QString why = problem();
    // Said once something was typed, or when nothing can be typed to fix it.
    const bool started = !m_name->text().isEmpty() || !m_url->text().isEmpty() || m_formats.empty();
    m_problem->setText(started ? why : QString());
    m_problem->setVisible(started && !why.isEmpty());
    m_ok->setEnabled(why.isEmpty());
}

json NewCreativeDialog::creative() const
{
    const int index = m_format->currentIndex();
    if (index < 0 || index >= int(m_formats.size()))
        return json();
    const QString name = m_name->text().trimmed();
    // The id is made once, so a second look at the creative names the same one.
    if (m_creativeId.isEmpty())
        m_creativeId = newCreativeId(name);
    const json &format = m_formats[size_t(index)];
    return {{"creative_id", m_creativeId.toStdString()},
            {"name", name.toStdString()},
            {"format_id", creativeFormatId(format)},
            {"assets", {{"main", creativeAsset(format, m_url->text().trimmed())}}}};
}

QLineEdit *NewCreativeDialog::nameEdit() const
{
    return m_name;
}

QComboBox *NewCreativeDialog::formatCombo() const
{
    return m_format;
}

QLineEdit *NewCreativeDialog::urlEdit() const
{
    return m_url;
}

QPushButton *NewCreativeDialog::okButton() const
{
    return m_ok;
}

AssignCreativeDialog::AssignCreativeDialog(const json &creative, const std::vector<Buy> &buys,
                                           const std::function<json(const QString &)> &formatsOf,
                                           const std::function<QString(const QString &)> &productName,
                                           QWidget *parent)
    : QDialog(parent), m_creativeId(creative.value("creative_id", std::string()))
{
    setObjectName(QStringLiteral("assignCreativeDialog"));
    const QString name = jsonString(creative, "name");
    setWindowTitle(tr("Assign %1").arg(name.isEmpty() ? QString::fromStdString(m_creativeId) : name));
    resize(620, 420);
    const json format = jsonObject(creative, "format_id");
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(
        tr("Tick the packages that should run this creative (%1).").arg(formatLabel(format)), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("assignCreativeTree"));
    m_tree->setHeaderLabels({tr("Buy and package"), tr("Status")});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    for (const Buy &buy : buys) {
        if (BuyModel::isTerminalStatus(buy.status))
            continue;
        auto *buyItem = new QTreeWidgetItem(m_tree, {buy.title, displayName(Vocabulary::Status, buy.status)});
        buyItem->setFlags(Qt::ItemIsEnabled);
        buyItem->setToolTip(0, tr("Media buy %1").arg(jsonString(buy.json, "media_buy_id")));
        for (const auto &package : jsonArray(buy.json, "packages")) {
            const QString packageId = jsonString(package, "package_id");
            const QString productId = jsonString(package, "product_id");
            if (packageId.isEmpty() || package.value("canceled", json()) == json(true))
                continue;
            const QString product = productName(productId);
            auto *item = new QTreeWidgetItem(buyItem, {product.isEmpty() ? packageId : product, QString()});
            item->setData(0, Qt::UserRole, packageId);
            json accepted = formatsOf(productId);
            if (!accepted.is_array() || accepted.empty())
                accepted = jsonArray(package, "format_ids_to_provide");
            bool already = false;
            for (const auto &approval : jsonArray(package, "creative_approvals"))
                already = already || jsonString(approval, "creative_id").toStdString() == m_creativeId;
            bool takes = false;
            for (const auto &f : accepted)
                takes = takes || formatServes(format, f);
            QString why;
            if (already)
                why = tr("Already runs this creative");
            else if (!takes)
                why = accepted.empty() ? tr("The formats of this product are not known in this session")
                                       : tr("This product does not take %1").arg(formatLabel(format));
            item->setToolTip(0, tr("Package %1 · product %2").arg(packageId, productId) +
                                    (why.isEmpty() ? QString() : u'\n' + why));
            if (why.isEmpty()) {
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
                item->setCheckState(0, Qt::Unchecked);
                ++m_assignable;
            } else {
                item->setFlags(Qt::ItemIsUserCheckable); // shown, greyed, not tickable
                item->setCheckState(0, already ? Qt::Checked : Qt::Unchecked);
                item->setText(1, already ? tr("assigned") : tr("other formats"));
            }
        }
    }
    m_tree->expandAll();
    layout->addWidget(m_tree, 1);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("assignCreativeNote"));
    m_note->setWordWrap(true);
    layout->addWidget(m_note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Assign"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!operations().empty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_tree, &QTreeWidget::itemChanged, this, &AssignCreativeDialog::updateState);
    updateState();
}

json AssignCreativeDialog::operations() const
{
    json list = json::array();
    for (int b = 0; b < m_tree->topLevelItemCount(); ++b) {
        const QTreeWidgetItem *buy = m_tree->topLevelItem(b);
        for (int p = 0; p < buy->childCount(); ++p) {
            const QTreeWidgetItem *package = buy->child(p);
            if ((package->flags() & Qt::ItemIsEnabled) && package->checkState(0) == Qt::Checked)
                list.push_back({{"operation", "assign"},
                                {"creative_id", m_creativeId},
                                {"package_id", package->data(0, Qt::UserRole).toString().toStdString()}});
        }
    }
    return list;
}

void AssignCreativeDialog::updateState()
{
    const auto picked = operations().size();
    if (m_assignable == 0)
        m_note->setText(tr("No package of a running buy takes this creative's format."));
    else if (picked == 0)
        m_note->setText(tr("%n package(s) can take it.", nullptr, m_assignable));
    else
        m_note->setText(tr("%n package(s) ticked.", nullptr, int(picked)));
    m_ok->setEnabled(picked > 0);
}

QTreeWidget *AssignCreativeDialog::tree() const
{
    return m_tree;
}

QPushButton *AssignCreativeDialog::okButton() const
{
    return m_ok;
}

int AssignCreativeDialog::assignableCount() const
{
    return m_assignable;
}

} // namespace adcp::gui

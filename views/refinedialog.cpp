#include "refinedialog.h"

#include "jsonvalues.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace adcp::gui {

using models::jsonArray;
using models::jsonString;

RefineDialog::RefineDialog(const nlohmann::json &proposal,
                           const std::function<QString(const QString &)> &productName, QWidget *parent)
    : QDialog(parent), m_proposal(proposal)
{
    setObjectName(QStringLiteral("refineDialog"));
    setWindowTitle(tr("Refine proposal"));
    resize(560, 420);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Refining <b>%1</b> (%2), version %3.")
                                     .arg(jsonString(proposal, "name").toHtmlEscaped(),
                                          jsonString(proposal, "proposal_id").toHtmlEscaped(),
                                          jsonString(proposal, "proposal_version").toHtmlEscaped()),
                                 this));
    auto *form = new QFormLayout;
    m_proposalAsk = new QLineEdit(this);
    m_proposalAsk->setObjectName(QStringLiteral("refineProposalAsk"));
    m_proposalAsk->setPlaceholderText(tr("e.g. keep the budget under 40,000 and shift weight to CTV"));
    form->addRow(tr("Ask about this proposal"), m_proposalAsk);
    m_requestAsk = new QLineEdit(this);
    m_requestAsk->setObjectName(QStringLiteral("refineRequestAsk"));
    m_requestAsk->setPlaceholderText(tr("e.g. more video options, less display"));
    form->addRow(tr("Ask for the whole selection"), m_requestAsk);
    layout->addLayout(form);

    m_products = new QTableWidget(this);
    m_products->setObjectName(QStringLiteral("refineProducts"));
    m_products->setColumnCount(2);
    m_products->setHorizontalHeaderLabels({tr("Product"), tr("Action")});
    m_products->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_products->verticalHeader()->hide();
    const nlohmann::json allocations = jsonArray(proposal, "allocations");
    m_products->setRowCount(static_cast<int>(allocations.size()));
    int row = 0;
    for (const auto &allocation : allocations) {
        const QString id = jsonString(allocation, "product_id");
        auto *item = new QTableWidgetItem(productName ? productName(id) : id);
        item->setData(Qt::UserRole, id);
        item->setFlags(Qt::ItemIsEnabled);
        m_products->setItem(row, 0, item);
        auto *action = new QComboBox(m_products);
        action->addItem(tr("leave as is"), QString());
        action->addItem(tr("include"), QStringLiteral("include"));
        action->addItem(tr("omit"), QStringLiteral("omit"));
        action->addItem(tr("more like this"), QStringLiteral("more_like_this"));
        connect(action, &QComboBox::currentIndexChanged, this, &RefineDialog::validate);
        m_products->setCellWidget(row, 1, action);
        ++row;
    }
    layout->addWidget(m_products, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Send refinement"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_requestAsk, &QLineEdit::textChanged, this, &RefineDialog::validate);
    connect(m_proposalAsk, &QLineEdit::textChanged, this, &RefineDialog::validate);
    validate();
}

void RefineDialog::setRequestAsk(const QString &ask)
{
    m_requestAsk->setText(ask);
}

void RefineDialog::setProposalAsk(const QString &ask)
{
    m_proposalAsk->setText(ask);
}

void RefineDialog::setProductAction(const QString &productId, const QString &action)
{
    for (int row = 0; row < m_products->rowCount(); ++row) {
        if (m_products->item(row, 0)->data(Qt::UserRole).toString() != productId)
            continue;
        auto *combo = qobject_cast<QComboBox *>(m_products->cellWidget(row, 1));
        combo->setCurrentIndex(combo->findData(action));
    }
}

nlohmann::json RefineDialog::refineEntries() const
{
    nlohmann::json entries = nlohmann::json::array();
    const QString proposalAsk = m_proposalAsk->text().trimmed();
    // The proposal entry always goes first: it names the version the asks are about.
    nlohmann::json proposalEntry = {{"scope", "proposal"},
                                    {"proposal_id", m_proposal.value("proposal_id", std::string())},
                                    {"action", "include"}};
    if (m_proposal.contains("proposal_version"))
        proposalEntry["proposal_version"] = m_proposal["proposal_version"];
    if (!proposalAsk.isEmpty())
        proposalEntry["ask"] = proposalAsk.toStdString();
    entries.push_back(proposalEntry);
    const QString requestAsk = m_requestAsk->text().trimmed();
    if (!requestAsk.isEmpty())
        entries.push_back({{"scope", "request"}, {"ask", requestAsk.toStdString()}});
    for (int row = 0; row < m_products->rowCount(); ++row) {
        const auto *combo = qobject_cast<QComboBox *>(m_products->cellWidget(row, 1));
        const QString action = combo->currentData().toString();
        if (action.isEmpty())
            continue;
        entries.push_back(
            {{"scope", "product"},
             {"product_id", m_products->item(row, 0)->data(Qt::UserRole).toString().toStdString()},
             {"action", action.toStdString()}});
    }
    return entries;
}

void RefineDialog::validate()
{
    // A bare "include" of the proposal is allowed (it asks for refreshed terms), so there is always something
    // to send; nothing to block here beyond what the seller decides. The button says which of the two it
    // sends: "Send refinement" with nothing asked read as if a change had been asked for.
    const nlohmann::json entries = refineEntries();
    const bool bare = entries.size() == 1 && !entries[0].contains("ask");
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setEnabled(!entries.empty());
    ok->setText(bare ? tr("Ask for fresh terms") : tr("Send refinement"));
    ok->setToolTip(bare ? tr("Nothing is asked for: the seller answers with the proposal's current terms and "
                             "pricing.")
                        : QString());
}

} // namespace adcp::gui

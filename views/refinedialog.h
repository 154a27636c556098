#pragma once

#include <QDialog>

#include <nlohmann/json.hpp>

#include <functional>

class QLineEdit;
class QTableWidget;
class QDialogButtonBox;

namespace adcp::gui {

// Refining a proposal: an ask for the whole request, an ask about this proposal, and per product of the
// proposal include / omit / more like this. Produces the `refine` entries of a get_products call.
class RefineDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RefineDialog)
public:
    RefineDialog(const nlohmann::json &proposal, const std::function<QString(const QString &)> &productName,
                 QWidget *parent = nullptr);

    void setRequestAsk(const QString &ask);
    void setProposalAsk(const QString &ask);
    // action: "" (leave), include, omit, more_like_this
    void setProductAction(const QString &productId, const QString &action);
    nlohmann::json refineEntries() const;

private:
    void validate();

    nlohmann::json m_proposal;
    QLineEdit *m_requestAsk = nullptr;
    QLineEdit *m_proposalAsk = nullptr;
    QTableWidget *m_products = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace adcp::gui

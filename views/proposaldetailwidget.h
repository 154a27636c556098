#pragma once

#include "focushold.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTreeView;

namespace adcp::models {
class AllocationModel;
class OpportunityModel;
class ProductModel;
class ProposalModel;
class ProposalVersionModel;
} // namespace adcp::models

namespace adcp::gui {

class ErrorBanner;

// The selected proposal in full: status and countdown, budget guidance, allocations, version history, and
// the actions its status allows. Errors of those actions appear inline in its banner.
class ProposalDetailWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalDetailWidget)
public:
    ProposalDetailWidget(models::ProposalModel *proposals, models::ProductModel *products,
                         QWidget *parent = nullptr);

    void showProposal(const QString &proposalId);
    QString proposalId() const;
    void setBusy(bool busy);
    // The planning cycles, so that Close opportunity is off for one already closed.
    void setOpportunities(const models::OpportunityModel *opportunities);

    ErrorBanner *errorBanner() const;
    QLabel *countdownLabel() const;
    QLabel *statusLabel() const;
    QPushButton *refineButton() const;
    QPushButton *finalizeButton() const;
    QPushButton *declineButton() const;
    QPushButton *createBuyButton() const;
    QPushButton *compareButton() const;
    QPushButton *closeOpportunityButton() const;
    QTableView *allocationView() const;
    QTreeView *versionView() const;
    models::ProposalVersionModel *versionModel() const;

Q_SIGNALS:
    void refineRequested(const QString &proposalId);
    void finalizeRequested(const QString &proposalId);
    void declineRequested(const QString &proposalId);
    void createBuyRequested(const QString &proposalId);
    void compareRequested(const QString &proposalId, int leftVersion, int rightVersion);
    void closeOpportunityRequested(const QString &opportunityId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();
    void refreshCountdown();
    void updateActions();

    models::ProposalModel *m_proposals;
    models::ProductModel *m_products;
    const models::OpportunityModel *m_opportunities = nullptr;
    models::AllocationModel *m_allocations = nullptr;
    models::ProposalVersionModel *m_versions = nullptr;
    QString m_proposalId;
    bool m_busy = false;
    FocusHold m_focusHold;

    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_countdown = nullptr;
    QLabel *m_description = nullptr;
    QLabel *m_guidance = nullptr;
    QLabel *m_note = nullptr;
    QTableView *m_allocationView = nullptr;
    QTreeView *m_versionView = nullptr;
    QPushButton *m_refine = nullptr;
    QPushButton *m_finalize = nullptr;
    QPushButton *m_decline = nullptr;
    QPushButton *m_createBuy = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_closeOpportunity = nullptr;
    ErrorBanner *m_error = nullptr;
};

} // namespace adcp::gui

#pragma once

#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

class QCheckBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableView;
class QTableWidget;
class QThreadPool;
class QTimer;
class QVBoxLayout;

namespace adcp::seller {
class Dispatcher;
class Execution;
struct Principal;
class SellerContext;
} // namespace adcp::seller

namespace adcp::models {
class ApprovalModel;
}

namespace adcp::gui {

// The embedded seller's own controls, for trainers: seller options, the seller clock, pending approvals,
// the dependency board (break and restore the resources buys depend on) and the simulated ad servers'
// latency and failure rate. It drives the seller directly (Dispatcher and SellerContext), never as the buyer;
// each section works as far as the seller in this build supports it and says so when it does not.
class SellerConsole final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SellerConsole)
public:
    // How the console reaches the simulated ad servers; absent when the seller runs without execution.
    struct AdapterControl
    {
        std::function<void(int latencyMs)> setLatency;
        std::function<void(double failureRate)> setFailureRate;
        int maxAttempts = 0; // tries before a failing ad-server step is given up (0: not known)
        int latencyMs = 0;   // what the ad servers do now, shown by the sliders
        double failureRate = 0.0;
    };

    SellerConsole(std::shared_ptr<adcp::seller::Dispatcher> dispatcher, std::string principalId,
                  QWidget *parent = nullptr);
    ~SellerConsole() override;

    // The options a trainer last chose in the console for the embedded seller (auto-commit, hold, manual
    // approval, versions, impairment webhook delay), applied to `context` at start-up. Saved as the trainer
    // changes them, and only for the seller the console was made with (a trainer scenario's seller changes
    // nothing saved). Saved values out of range are ignored.
    static void restoreSavedOptions(adcp::seller::SellerContext &context);
    // The seller's running execution as the sliders drive it: both simulated ad servers (guaranteed and
    // exchange) take the latency and failure rate. Keeps the execution alive while the console holds it.
    static AdapterControl adapterControl(std::shared_ptr<adcp::seller::Execution> execution);
    void setAdapterControl(AdapterControl control);
    QSlider *latencySlider() const;
    QSlider *failureSlider() const;
    QLabel *adapterNote() const;
    // The ad-server steps that are failing, every buyer's: waiting to be tried again, or given up.
    QLabel *adServerStepSummary() const;
    QTableWidget *adServerStepTable() const;
    // Buys (get_media_buys entries) whose dependencies the board lists.
    void setBuys(nlohmann::json mediaBuys);

    // Changes to the seller run on the console's reader thread, after any read already asked for, and never
    // on the window's: each returns a ticket, and actionFinished brings the outcome with it.
    // Moves a dependency to an offline status (break) or back (restore).
    // `shown`, when given, gets the outcome on the window's thread.
    quint64 setDependency(const QString &resourceType, const QString &resourceId, bool offline,
                          std::function<void(const QString &)> shown = {});
    // Approves a held buy (its ad-server work starts) or rejects it.
    quint64 approveTask(const QString &taskId, bool approve, std::function<void(const QString &)> shown = {});
    // Approves (active) or rejects an account awaiting the seller's approval.
    quint64 decideAccount(const QString &principalId, const QString &accountId, bool approve,
                          std::function<void(const QString &)> shown = {});
    // Changes asked for and not yet finished.
    int actionsRunning() const;
    // The seller clock moved forward (the +1 h and +1 day buttons).
    void advanceClock(qint64 seconds);
    void refresh();
    // The seller answering from now on (a trainer's reset replaces the embedded seller).
    void setDispatcher(std::shared_ptr<adcp::seller::Dispatcher> dispatcher);
    // "type/id" of each row of the dependency board, as last refreshed.
    QStringList dependencyKeys() const;

    QTableWidget *dependencyTable() const;
    QTableView *approvalTable() const;
    models::ApprovalModel *approvalModel() const;
    QSize sizeHint() const override;
    QLabel *clockLabel() const;
    QCheckBox *autoCommitBox() const;
    QCheckBox *manualApprovalBox() const;
    QSpinBox *holdHoursBox() const;
    bool controllerAvailable() const;

Q_SIGNALS:
    // The seller's state changed under the buyer (a broken creative, an approval): re-read it.
    void sellerChanged();
    // What a read of the seller's store found (approvals, the dependency board, dead letters) is on screen.
    void boardShown();
    // What the trainer did in the console, as a scenario step (kind seller_action or clock) for a recording.
    void sellerActionTaken(const nlohmann::json &step);
    // A change asked for (the ticket setDependency or approveTask returned) is done: `error` is the seller's
    // message, empty on success. A change on a seller replaced meanwhile (a trainer's reset) reports too.
    void actionFinished(quint64 ticket, const QString &error);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void saveOption(const char *key, const QVariant &value);
    using Change = std::function<QString(adcp::seller::Dispatcher &, const adcp::seller::Principal &)>;
    // Runs `change` on the reader thread; on success the board is read again, and sellerChanged and
    // sellerActionTaken(step) are emitted; then `shown` and actionFinished get the outcome.
    quint64 runAction(Change change, nlohmann::json step, std::function<void(const QString &)> shown);
    void buildOptions(QVBoxLayout *layout);
    void buildClock(QVBoxLayout *layout);
    void buildApprovals(QVBoxLayout *layout);
    void buildDependencies(QVBoxLayout *layout);
    void buildAdapters(QVBoxLayout *layout);
    void buildDeadLetters(QVBoxLayout *layout);
    // The board is read off the window's thread (the seller's store, every buy of the session) and shown
    // when the read is back; a part asked for while a read runs is read once more right after it.
    enum BoardPart : unsigned {
        Approvals = 1u << 0,
        Dependencies = 1u << 1,
        DeadLetters = 1u << 2,
        AdServerSteps = 1u << 3,
        AllParts = 15u
    };
    struct Board;
    void readBoard(unsigned parts);
    void showBoard(const Board &board);
    void showApprovals(const Board &board);
    void showDependencies(const Board &board);
    void showDependencyStatus(int row, const QString &type, const QString &status, bool available);
    void showDeadLetters(const Board &board);
    void showAdServerSteps(const Board &board);
    void refreshClock();
    void addApprovalButtons(int first, int last);

    std::shared_ptr<adcp::seller::Dispatcher> m_dispatcher;
    std::weak_ptr<adcp::seller::Dispatcher> m_home; // the seller the console was made with
    std::unique_ptr<adcp::seller::Principal> m_principal;
    AdapterControl m_adapters;
    std::shared_ptr<const nlohmann::json> m_buys; // the buys the board lists (an array)
    bool m_stale = false; // buys changed while the console was hidden
    std::unique_ptr<QThreadPool> m_reader; // one thread, its own connection to the seller's store
    unsigned m_reading = 0;                // the parts of the read in flight (0: none)
    unsigned m_wanted = 0;                 // parts asked for while it runs
    quint64 m_sellerGeneration = 0;        // setDispatcher() drops a read of the previous seller
    quint64 m_lastTicket = 0;              // of the last change asked for
    int m_actionsRunning = 0;
    QTimer *m_clockTimer = nullptr;
    QLabel *m_clock = nullptr;
    QCheckBox *m_autoCommit = nullptr;
    QCheckBox *m_manualApproval = nullptr;
    QCheckBox *m_requireVersion = nullptr;
    QSpinBox *m_holdHours = nullptr;
    models::ApprovalModel *m_approvalModel = nullptr;
    QTableView *m_approvals = nullptr;
    QLabel *m_approvalNote = nullptr;
    QTableWidget *m_dependencies = nullptr;
    QStringList m_dependencyRows; // type/id of the rows shown
    QLabel *m_dependencyNote = nullptr;
    QTableWidget *m_deadLetters = nullptr; // stored jobs and webhooks set aside as unprocessable
    QSlider *m_latency = nullptr;
    QSlider *m_failure = nullptr;
    QLabel *m_adapterNote = nullptr;
    QLabel *m_adServerSummary = nullptr;
    QTableWidget *m_adServerSteps = nullptr; // failing ad-server steps (hidden while there are none)
    QLabel *m_latencyValue = nullptr;
    QLabel *m_failureValue = nullptr;
};

} // namespace adcp::gui

#pragma once

#include <QDialog>
#include <QHash>
#include <QStringList>
#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace adcp::gui {

class ErrorBanner;
class Workbench;

// CRM members typed or pasted one per line: an email address or an E.164 phone number, optionally after the
// buyer's own record id ("crm-42, ann@example.com"). Emails are trimmed and lower-cased, phones stripped of
// spaces, dashes, dots and brackets, then each is SHA-256 hashed here: only hashes leave the workbench. A
// line without an id gets one derived from its hash. Blank lines are ignored; anything else is skipped and
// named.
struct AudienceMembers
{
    nlohmann::json members = nlohmann::json::array(); // core/audience-member.json objects
    int emails = 0;
    int phones = 0;
    QStringList skipped; // "line 3: …", at most the first 20
    int skippedCount = 0;
};
AudienceMembers audienceMembersFromText(const QString &text);

// Creates an audience (id, name, use, consent basis and members) or adds members to one; produces the
// sync_audiences audiences[] entry.
class AudienceDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AudienceDialog)
public:
    // `existing`: the audience as sync_audiences reported it, to add members to; null for a new one.
    // `existingIds`: the account's audience ids, which a new audience may not take.
    explicit AudienceDialog(const nlohmann::json &existing, QWidget *parent = nullptr,
                            const QStringList &existingIds = {});

    nlohmann::json audience() const;
    QLineEdit *nameEdit() const;
    QLineEdit *idEdit() const;
    QPlainTextEdit *membersEdit() const;
    QPushButton *okButton() const;
    QLabel *summaryLabel() const;

private:
    void recount();

    bool m_new;
    QStringList m_existingIds;
    bool m_idEdited = false;
    QLineEdit *m_name;
    QLineEdit *m_id;
    QComboBox *m_type;
    QComboBox *m_consent;
    QPlainTextEdit *m_members;
    QLabel *m_summary;
    QPushButton *m_ok;
    QTimer *m_recount;
    AudienceMembers m_parsed;
};

// A conversion event source of the buyer's (id, name, the event types it sends, where they happen).
class EventSourceDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventSourceDialog)
public:
    explicit EventSourceDialog(QWidget *parent = nullptr, const QStringList &existingIds = {});
    nlohmann::json source() const;
    QLineEdit *idEdit() const;
    QListWidget *eventTypes() const;

private:
    QLineEdit *m_id;
    QLineEdit *m_name;
    QListWidget *m_types;
    QComboBox *m_actionSource;
    QPushButton *m_ok;
};

// Which of the account's audiences a buy targets (every live package the same). Audiences too small to
// target are listed but cannot be checked.
class BuyAudiencesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuyAudiencesDialog)
public:
    BuyAudiencesDialog(const nlohmann::json &audiences, const QStringList &targeted,
                       QWidget *parent = nullptr);
    QStringList audienceIds() const;
    QListWidget *list() const;

private:
    QListWidget *m_list;
};

// The Audiences tab: the active account's CRM audiences (status, matched members, match rate) and its
// conversion event sources (health, events in the last 24 hours), with New / Add members / Delete for
// audiences and New for event sources. Read when first shown and again when the account or agent changes.
class AudiencesWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AudiencesWidget)
public:
    explicit AudiencesWidget(Workbench *workbench, QWidget *parent = nullptr);
    // How dialogs run (the window's runner, so tests can fill them); defaults to exec().
    void setDialogRunner(std::function<int(QDialog *)> runner);
    void refresh();

    QTreeWidget *audienceView() const;
    QTreeWidget *eventSourceView() const;
    QPushButton *newAudienceButton() const;
    QPushButton *addMembersButton() const;
    QPushButton *deleteAudienceButton() const;
    QPushButton *newEventSourceButton() const;
    QPushButton *refreshButton() const;
    ErrorBanner *errorBanner() const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showAudiences();
    void showEventSources();
    void updateState();
    void markStale();
    QString selectedAudience() const;
    int runDialog(QDialog *dialog);

    Workbench *m_workbench;
    std::function<int(QDialog *)> m_runDialog;
    QLabel *m_title;
    ErrorBanner *m_error;
    QTreeWidget *m_audiences;
    QTreeWidget *m_sources;
    QLabel *m_audiencesEmpty;
    QPushButton *m_newAudience;
    QPushButton *m_addMembers;
    QPushButton *m_deleteAudience;
    QPushButton *m_newSource;
    QPushButton *m_refresh;
    bool m_stale = true;
    bool m_busy = false;
    QHash<QString, QString> m_buyHealth; // the health each buy last had, to see it move
};

} // namespace adcp::gui

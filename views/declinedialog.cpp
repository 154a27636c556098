#include "declinedialog.h"

#include "reasonform.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {
constexpr int kMaxDetail = 500;
}

const QStringList &DeclineDialog::reasons()
{
    static const QStringList list{QStringLiteral("price"),
                                  QStringLiteral("inventory_fit"),
                                  QStringLiteral("audience_fit"),
                                  QStringLiteral("creative_unsupported"),
                                  QStringLiteral("measurement_unsupported"),
                                  QStringLiteral("policy"),
                                  QStringLiteral("timing"),
                                  QStringLiteral("budget_changed"),
                                  QStringLiteral("selected_alternative"),
                                  QStringLiteral("other")};
    return list;
}

DeclineDialog::DeclineDialog(const QString &proposalId, const QString &proposalVersion, const QString &name,
                             QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("declineDialog"));
    setWindowTitle(tr("Decline proposal"));
    auto *layout = new QVBoxLayout(this);
    auto *what =
        new QLabel(tr("Declining <b>%1</b> (%2), version <b>%3</b>.")
                       .arg(name.toHtmlEscaped(), proposalId.toHtmlEscaped(),
                            proposalVersion.isEmpty() ? tr("unversioned") : proposalVersion.toHtmlEscaped()),
                   this);
    what->setObjectName(QStringLiteral("declineWhat"));
    what->setWordWrap(true);
    layout->addWidget(what);
    m_form =
        new ReasonForm(QStringLiteral("decline"), reasons(), models::Vocabulary::DeclineReason,
                       tr("Optional; required for \"other\". No competitor names, prices or confidential "
                          "terms."),
                       this);
    layout->addWidget(m_form);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Decline"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    const auto validate = [this] { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept()); };
    connect(m_form, &ReasonForm::changed, this, validate);
    validate();
}

QString DeclineDialog::reason() const
{
    return m_form->reason();
}

QString DeclineDialog::detail() const
{
    return m_form->detail();
}

void DeclineDialog::setReason(const QString &reason)
{
    m_form->setReason(reason);
}

void DeclineDialog::setDetail(const QString &detail)
{
    m_form->setDetail(detail);
}

QString DeclineDialog::problem() const
{
    return m_form->problem();
}

bool DeclineDialog::canAccept() const
{
    return m_form->canAccept();
}

} // namespace adcp::gui

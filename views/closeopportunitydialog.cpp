#include "closeopportunitydialog.h"

#include "reasonform.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace adcp::gui {

const QStringList &CloseOpportunityDialog::reasons()
{
    // accepted_with_seller is set by create_media_buy itself; the buyer closes for the other reasons.
    static const QStringList list{
        QStringLiteral("purchased_elsewhere"), QStringLiteral("selected_alternative"),
        QStringLiteral("not_pursued"),         QStringLiteral("budget_changed"),
        QStringLiteral("timing_changed"),      QStringLiteral("other")};
    return list;
}

CloseOpportunityDialog::CloseOpportunityDialog(const QString &title, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("closeOpportunityDialog"));
    setWindowTitle(tr("Close opportunity"));
    auto *layout = new QVBoxLayout(this);
    auto *what = new QLabel(tr("Close <b>%1</b> with this seller.").arg(title.toHtmlEscaped()), this);
    layout->addWidget(what);
    m_form = new ReasonForm(QStringLiteral("close"), reasons(), models::Vocabulary::CloseReason,
                            tr("Short and non-identifying; required for \"other\"."), this);
    layout->addWidget(m_form);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Close opportunity"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    const auto validate = [this] { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept()); };
    connect(m_form, &ReasonForm::changed, this, validate);
    validate();
}

QString CloseOpportunityDialog::reason() const
{
    return m_form->reason();
}

QString CloseOpportunityDialog::detail() const
{
    return m_form->detail();
}

void CloseOpportunityDialog::setReason(const QString &reason)
{
    m_form->setReason(reason);
}

void CloseOpportunityDialog::setDetail(const QString &detail)
{
    m_form->setDetail(detail);
}

bool CloseOpportunityDialog::canAccept() const
{
    return m_form->canAccept();
}

} // namespace adcp::gui

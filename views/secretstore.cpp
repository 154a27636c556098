#include "secretstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimer>

#ifdef ADCP_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace adcp::gui {

namespace {

// Answers asynchronously like a real keychain, so callers cannot come to rely on a synchronous reply.
template <typename F> void later(QObject *context, F &&f)
{
    QTimer::singleShot(0, context, std::forward<F>(f));
}

} // namespace

QString MemorySecretStore::description() const
{
    return tr("memory only (forgotten on exit)");
}

bool MemorySecretStore::isEncrypted() const
{
    return true; // nothing is written anywhere
}

void MemorySecretStore::write(const QString &key, const QByteArray &secret, WriteDone done)
{
    m_secrets.insert(key, secret);
    later(this, [done] { done(true, {}); });
}

void MemorySecretStore::read(const QString &key, ReadDone done)
{
    const auto it = m_secrets.constFind(key);
    const std::optional<QByteArray> value = it == m_secrets.cend() ? std::nullopt : std::optional(*it);
    later(this, [done, value] { done(value, {}); });
}

void MemorySecretStore::remove(const QString &key, WriteDone done)
{
    m_secrets.remove(key);
    later(this, [done] { done(true, {}); });
}

FileSecretStore::FileSecretStore(QString path, QObject *parent) : SecretStore(parent), m_path(std::move(path))
{}

QString FileSecretStore::path() const
{
    return m_path;
}

QString FileSecretStore::description() const
{
    return tr("plain file %1 (owner read/write only, not encrypted)").arg(QDir::toNativeSeparators(m_path));
}

bool FileSecretStore::isEncrypted() const
{
    return false;
}

bool FileSecretStore::load(QHash<QString, QByteArray> *secrets, QString *error) const
{
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = tr("%1 is damaged: %2").arg(m_path, parseError.errorString());
        return false;
    }
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it)
        secrets->insert(it.key(), QByteArray::fromBase64(it.value().toString().toLatin1()));
    return true;
}

bool FileSecretStore::save(const QHash<QString, QByteArray> &secrets, QString *error) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QJsonObject object;
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        object.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    // Restrict before any secret is written into the file.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson());
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void FileSecretStore::write(const QString &key, const QByteArray &secret, WriteDone done)
{
    QHash<QString, QByteArray> secrets;
    QString error;
    const bool ok = load(&secrets, &error) && (secrets.insert(key, secret), save(secrets, &error));
    later(this, [done, ok, error] { done(ok, error); });
}

void FileSecretStore::read(const QString &key, ReadDone done)
{
    QHash<QString, QByteArray> secrets;
    QString error;
    std::optional<QByteArray> value;
    if (load(&secrets, &error) && secrets.contains(key))
        value = secrets.value(key);
    later(this, [done, value, error] { done(value, error); });
}

void FileSecretStore::remove(const QString &key, WriteDone done)
{
    QHash<QString, QByteArray> secrets;
    QString error;
    const bool ok = load(&secrets, &error) && (secrets.remove(key), save(secrets, &error));
    later(this, [done, ok, error] { done(ok, error); });
}

KeychainSecretStore::KeychainSecretStore(QString service, QObject *parent)
    : SecretStore(parent), m_service(std::move(service))
{}

bool KeychainSecretStore::isCompiledIn()
{
#ifdef ADCP_HAVE_QTKEYCHAIN
    return true;
#else
    return false;
#endif
}

QString KeychainSecretStore::description() const
{
    return tr("system keychain");
}

bool KeychainSecretStore::isEncrypted() const
{
    return true;
}

#ifdef ADCP_HAVE_QTKEYCHAIN

void KeychainSecretStore::probe(const QString &service, std::function<void(bool, const QString &)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(QStringLiteral("adcp-workbench-probe"));
    QObject::connect(job, &QKeychain::Job::finished, job, [done](QKeychain::Job *finished) {
        const bool available =
            finished->error() == QKeychain::NoError || finished->error() == QKeychain::EntryNotFound;
        done(available, available ? QString() : finished->errorString());
    });
    job->start();
}

void KeychainSecretStore::write(const QString &key, const QByteArray &secret, WriteDone done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setBinaryData(secret);
    connect(job, &QKeychain::Job::finished, this, [done](QKeychain::Job *finished) {
        done(finished->error() == QKeychain::NoError, finished->errorString());
    });
    job->start();
}

void KeychainSecretStore::read(const QString &key, ReadDone done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [done, job](QKeychain::Job *finished) {
        if (finished->error() == QKeychain::NoError)
            done(job->binaryData(), {});
        else if (finished->error() == QKeychain::EntryNotFound)
            done(std::nullopt, {});
        else
            done(std::nullopt, finished->errorString());
    });
    job->start();
}

void KeychainSecretStore::remove(const QString &key, WriteDone done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [done](QKeychain::Job *finished) {
        done(finished->error() == QKeychain::NoError || finished->error() == QKeychain::EntryNotFound,
             finished->errorString());
    });
    job->start();
}

#else

void KeychainSecretStore::probe(const QString &, std::function<void(bool, const QString &)> done)
{
    done(false, tr("built without qtkeychain"));
}

void KeychainSecretStore::write(const QString &, const QByteArray &, WriteDone done)
{
    done(false, tr("built without qtkeychain"));
}

void KeychainSecretStore::read(const QString &, ReadDone done)
{
    done(std::nullopt, tr("built without qtkeychain"));
}

void KeychainSecretStore::remove(const QString &, WriteDone done)
{
    done(false, tr("built without qtkeychain"));
}

#endif

void chooseSecretStore(const QString &service, const QString &fallbackPath,
                       std::function<void(std::unique_ptr<SecretStore>, const QString &)> done)
{
    KeychainSecretStore::probe(service, [service, fallbackPath, done](bool available, const QString &error) {
        if (available)
            done(std::make_unique<KeychainSecretStore>(service), QString());
        else
            done(std::make_unique<FileSecretStore>(fallbackPath),
                 QObject::tr("No system keychain is available (%1).").arg(error));
    });
}

} // namespace adcp::gui

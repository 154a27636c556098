#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace adcp::gui {

// Where agent bearer tokens live. Operations are asynchronous (system keychains answer later); `done` is
// called exactly once, on the caller's thread.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    using WriteDone = std::function<void(bool ok, const QString &error)>;
    using ReadDone = std::function<void(std::optional<QByteArray> secret, const QString &error)>;

    using QObject::QObject;
    ~SecretStore() override = default;

    virtual QString description() const = 0; // shown to the user: where tokens are kept
    virtual bool isEncrypted() const = 0;    // false = a plain file; the GUI marks it
    virtual void write(const QString &key, const QByteArray &secret, WriteDone done) = 0;
    virtual void read(const QString &key, ReadDone done) = 0;
    virtual void remove(const QString &key, WriteDone done) = 0;
};

// Tokens only in memory: tests, and sessions that must not persist anything.
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemorySecretStore)
public:
    using SecretStore::SecretStore;
    QString description() const override;
    bool isEncrypted() const override;
    void write(const QString &key, const QByteArray &secret, WriteDone done) override;
    void read(const QString &key, ReadDone done) override;
    void remove(const QString &key, WriteDone done) override;

private:
    QHash<QString, QByteArray> m_secrets;
};

// The explicit fallback when no system keychain answers: a JSON file readable by the user only (0600).
// Not encrypted, and the GUI says so wherever a token is entered.
class FileSecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileSecretStore)
public:
    explicit FileSecretStore(QString path, QObject *parent = nullptr);
    QString path() const;
    QString description() const override;
    bool isEncrypted() const override;
    void write(const QString &key, const QByteArray &secret, WriteDone done) override;
    void read(const QString &key, ReadDone done) override;
    void remove(const QString &key, WriteDone done) override;

private:
    bool load(QHash<QString, QByteArray> *secrets, QString *error) const;
    bool save(const QHash<QString, QByteArray> &secrets, QString *error) const;
    QString m_path;
};

// The desktop's secret service through qtkeychain (when built with it).
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainSecretStore)
public:
    explicit KeychainSecretStore(QString service, QObject *parent = nullptr);
    static bool isCompiledIn();
    // Asks the keychain for a key that does not exist: "not found" means it works, anything else means no
    // usable keychain (headless machines have no D-Bus secret service).
    static void probe(const QString &service, std::function<void(bool available, const QString &error)> done);
    QString description() const override;
    bool isEncrypted() const override;
    void write(const QString &key, const QByteArray &secret, WriteDone done) override;
    void read(const QString &key, ReadDone done) override;
    void remove(const QString &key, WriteDone done) override;

private:
    QString m_service;
};

// The system keychain when it works, otherwise the 0600 file at `fallbackPath`.
void chooseSecretStore(const QString &service, const QString &fallbackPath,
                       std::function<void(std::unique_ptr<SecretStore> store, const QString &why)> done);

} // namespace adcp::gui

import Foundation

/// The emails that accounts receive, in the account's language. Links point at the
/// public address of the service; tokens travel in the query string, which Creneau
/// never writes to its logs.
public struct AccountEmails: Sendable {
    /// "https://rdv.hopital.fr", without a trailing slash.
    public var publicURL: String

    public init(publicURL: String) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    public func verifyEmail(to email: String, name: String, token: String, language: Language) -> EmailMessage {
        let link = "\(publicURL)/account/verify?token=\(token)"
        switch language {
        case .fr:
            return EmailMessage(to: email, subject: "Confirmez votre adresse e-mail", text: """
                Bonjour \(name),

                Pour activer votre compte de prise de rendez-vous, confirmez votre adresse en ouvrant ce lien dans les 24 heures :

                \(link)

                Si vous n'avez pas créé de compte, ignorez ce message : rien ne sera activé.
                """)
        case .en:
            return EmailMessage(to: email, subject: "Confirm your email address", text: """
                Hello \(name),

                To activate your booking account, confirm your address by opening this link within 24 hours:

                \(link)

                If you did not create an account, ignore this message: nothing will be activated.
                """)
        }
    }

    /// An invitation to join as staff: set a password and enrol an authenticator app.
    public func staffInvitation(to email: String, name: String, token: String, days: Int, language: Language) -> EmailMessage {
        let link = "\(publicURL)/staff/welcome?token=\(token)"
        switch language {
        case .fr:
            return EmailMessage(to: email, subject: "Votre accès à l'agenda de l'hôpital", text: """
                Bonjour \(name),

                Un administrateur vous a ouvert un accès à l'agenda de l'hôpital. Ouvrez ce lien dans les \(days) jours pour choisir votre mot de passe et enregistrer votre application d'authentification (Google Authenticator, FreeOTP, Microsoft Authenticator…) :

                \(link)

                Ce lien ne sert qu'une fois. Si vous n'attendiez pas cette invitation, ignorez ce message.
                """)
        case .en:
            return EmailMessage(to: email, subject: "Your access to the hospital's agenda", text: """
                Hello \(name),

                An administrator has given you access to the hospital's agenda. Open this link within \(days) days to choose your password and enrol your authenticator app (Google Authenticator, FreeOTP, Microsoft Authenticator…):

                \(link)

                The link works once. If you did not expect this invitation, ignore this message.
                """)
        }
    }

    public func signInCode(to email: String, code: String, minutes: Int, language: Language) -> EmailMessage {
        switch language {
        case .fr:
            return EmailMessage(to: email, subject: "Votre code de connexion : \(code)", text: """
                Votre code de connexion est : \(code)

                Il est valable \(minutes) minutes. Ne le communiquez à personne : nos équipes ne vous le demanderont jamais.
                Si vous n'essayez pas de vous connecter, changez votre mot de passe : quelqu'un le connaît.
                """)
        case .en:
            return EmailMessage(to: email, subject: "Your sign-in code: \(code)", text: """
                Your sign-in code is: \(code)

                It is valid for \(minutes) minutes. Do not share it with anyone: our staff will never ask for it.
                If you are not trying to sign in, change your password: someone knows it.
                """)
        }
    }

    public func resetPassword(to email: String, token: String, language: Language) -> EmailMessage {
        let link = "\(publicURL)/account/reset?token=\(token)"
        switch language {
        case .fr:
            return EmailMessage(to: email, subject: "Choisir un nouveau mot de passe", text: """
                Bonjour,

                Une demande de nouveau mot de passe a été faite pour votre compte. Pour en choisir un, ouvrez ce lien dans l'heure :

                \(link)

                Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.
                """)
        case .en:
            return EmailMessage(to: email, subject: "Choose a new password", text: """
                Hello,

                Someone asked for a new password for your account. To choose one, open this link within the hour:

                \(link)

                If you did not ask, ignore this message: your password stays as it is.
                """)
        }
    }

    /// Sent instead of a verification link when someone signs up with an address that has an
    /// account already: the owner learns of it, the person signing up learns nothing.
    public func alreadyRegistered(to email: String, language: Language) -> EmailMessage {
        let link = "\(publicURL)/account/forgot"
        switch language {
        case .fr:
            return EmailMessage(to: email, subject: "Vous avez déjà un compte", text: """
                Bonjour,

                Quelqu'un, peut-être vous, a voulu créer un compte avec cette adresse. Vous en avez déjà un : connectez-vous,
                ou choisissez un nouveau mot de passe ici si vous l'avez oublié :

                \(link)

                Si ce n'était pas vous, ignorez ce message : votre compte n'a pas changé.
                """)
        case .en:
            return EmailMessage(to: email, subject: "You already have an account", text: """
                Hello,

                Someone, maybe you, tried to create an account with this address. You already have one: sign in,
                or choose a new password here if you forgot it:

                \(link)

                If it was not you, ignore this message: your account has not changed.
                """)
        }
    }
}
